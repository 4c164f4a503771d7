using System.Xml.Linq;
using Microsoft.AspNetCore.DataProtection.Repositories;
using Mirc.Grains.Storage.Blobs;

namespace Mirc.Grains.Security.Secrets;

/// <summary>
/// Data Protection keys in the archive's blob store (grain-state container, <c>security/data-protection/</c>), so
/// that every silo of a cluster reads what another protected. Access is the storage account's (managed identity).
/// </summary>
public sealed class BlobXmlRepository(IBlobStore blobs, InstanceBlobLayout layout) : IXmlRepository
{
    private const string Prefix = "security/data-protection/";

    /// <inheritdoc />
    public IReadOnlyCollection<XElement> GetAllElements() => ReadAllAsync().GetAwaiter().GetResult();

    /// <inheritdoc />
    public void StoreElement(XElement element, string friendlyName)
    {
        ArgumentNullException.ThrowIfNull(element);
        var name = string.Concat(friendlyName.Where(c => char.IsAsciiLetterOrDigit(c) || c == '-'));
        var key = new BlobKey(layout.GrainStateContainer, Prefix + (name.Length > 0 ? name : Guid.NewGuid().ToString()) + ".xml");
        using var buffer = new MemoryStream();
        element.Save(buffer);
        // Key names are unique (key id): a key is written once, never replaced.
        blobs.WriteIfMatchAsync(key, buffer.ToArray(), null).GetAwaiter().GetResult();
    }

    // The Data Protection repository interface is synchronous; it is called rarely (start, key creation, ~90 days).
    private async Task<IReadOnlyCollection<XElement>> ReadAllAsync()
    {
        var elements = new List<XElement>();
        await foreach (var blob in blobs.ListAsync(layout.GrainStateContainer, Prefix).ConfigureAwait(false))
        {
            if (await blobs.TryReadAllAsync(blob.Key).ConfigureAwait(false) is { } content)
            {
                using var stream = new MemoryStream(content.Content.ToArray());
                elements.Add(XElement.Load(stream));
            }
        }

        return elements;
    }
}

using System.Text;
using Mirc.Dicom.Deidentification;
using Mirc.Grains.Interfaces.Research;
using Mirc.Grains.Storage.Blobs;

namespace Mirc.Grains.Research;

/// <summary>
/// What only the data-protection officer controls, in a store of its own (<c>{prefix}-research-vault</c>: a folder of its
/// own on the file system, a container of its own in Azure, never the export's): each project's de-identification key
/// (written once, never exported, never returned by the API) and its re-identification table (pseudonym → patient).
/// Reading the table is for the DPO only and audited by the caller.
/// </summary>
public sealed class ResearchVault
{
    private readonly IBlobStore _blobs;

    /// <summary>Creates the vault.</summary>
    public ResearchVault(IBlobStore blobs, Microsoft.Extensions.Options.IOptions<BlobStorageOptions> storage)
    {
        _blobs = blobs;
        Container = storage.Value.ContainerPrefix + "-research-vault";
    }

    /// <summary>The vault's container.</summary>
    public string Container { get; }

    /// <summary>The project's key, created at the first call (concurrent first calls agree on one key).</summary>
    public async Task<DeidentificationKey> GetOrCreateKeyAsync(string projectId, CancellationToken cancellationToken = default)
    {
        var key = new BlobKey(Container, $"{projectId}/key");
        if (await _blobs.TryReadAllAsync(key, cancellationToken).ConfigureAwait(false) is { } existing)
        {
            return new DeidentificationKey(existing.Content.Span);
        }

        try
        {
            var fresh = System.Security.Cryptography.RandomNumberGenerator.GetBytes(DeidentificationKey.KeySize);
            await _blobs.WriteIfMatchAsync(key, fresh, null, cancellationToken).ConfigureAwait(false);
            return new DeidentificationKey(fresh);
        }
        catch (BlobConcurrencyException)
        {
            var winner = await _blobs.TryReadAllAsync(key, cancellationToken).ConfigureAwait(false)
                ?? throw new InvalidOperationException($"The key of research project {projectId} vanished.");
            return new DeidentificationKey(winner.Content.Span);
        }
    }

    /// <summary>Records that <paramref name="pseudonym"/> stands for <paramref name="patientReference"/> in the project (idempotent, durable on return).</summary>
    public async Task RecordAsync(string projectId, string pseudonym, string patientReference, CancellationToken cancellationToken = default)
    {
        var key = new BlobKey(Container, $"{projectId}/patients/{pseudonym}");
        using var content = new MemoryStream(Encoding.UTF8.GetBytes(patientReference));
        await _blobs.WriteAsync(key, content, new BlobWriteOptions { Overwrite = true, ContentType = "text/plain" }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The project's re-identification table, sorted by pseudonym.</summary>
    public async Task<IReadOnlyList<ReidentificationEntry>> ReadTableAsync(string projectId, CancellationToken cancellationToken = default)
    {
        var prefix = $"{projectId}/patients/";
        var entries = new List<ReidentificationEntry>();
        await foreach (var blob in _blobs.ListAsync(Container, prefix, cancellationToken).ConfigureAwait(false))
        {
            if (await _blobs.TryReadAllAsync(blob.Key, cancellationToken).ConfigureAwait(false) is not { } content) continue;
            entries.Add(new ReidentificationEntry(blob.Key.Name[prefix.Length..], Encoding.UTF8.GetString(content.Content.Span)));
        }

        return entries.OrderBy(e => e.Pseudonym, StringComparer.Ordinal).ToArray();
    }
}

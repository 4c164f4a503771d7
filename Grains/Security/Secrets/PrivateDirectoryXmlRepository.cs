using System.Xml.Linq;
using Microsoft.AspNetCore.DataProtection.Repositories;

namespace Mirc.Grains.Security.Secrets;

/// <summary>
/// Data Protection keys in a folder only the service user can open (0700), one file per key, each 0600 from its
/// creation (no window where it is readable by others, unlike a chmod after writing).
/// </summary>
public sealed class PrivateDirectoryXmlRepository : IXmlRepository
{
    private readonly string _directory;

    /// <summary>Creates (or tightens) <paramref name="directory"/>.</summary>
    public PrivateDirectoryXmlRepository(string directory)
    {
        _directory = Path.GetFullPath(directory);
        OwnerOnlyFolder.Enforce(_directory);
    }

    /// <summary>The folder.</summary>
    public string DirectoryPath => _directory;

    /// <inheritdoc />
    public IReadOnlyCollection<XElement> GetAllElements() =>
        [.. Directory.EnumerateFiles(_directory, "*.xml").Select(path => XElement.Load(path))];

    /// <inheritdoc />
    public void StoreElement(XElement element, string friendlyName)
    {
        ArgumentNullException.ThrowIfNull(element);
        var name = string.Concat(friendlyName.Where(c => char.IsAsciiLetterOrDigit(c) || c == '-'));
        var path = Path.Combine(_directory, (name.Length > 0 ? name : Guid.NewGuid().ToString()) + ".xml");
        // A name of its own: two silos never write into one temporary file (the silo takes no file locks: Silo csproj).
        var temp = $"{path}.{Guid.NewGuid():N}.tmp";
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write, Share = FileShare.None };
        if (!OperatingSystem.IsWindows()) options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        using (var stream = new FileStream(temp, options))
        {
            element.Save(stream);
            stream.Flush(flushToDisk: true);
        }

        File.Move(temp, path, overwrite: true);
    }
}

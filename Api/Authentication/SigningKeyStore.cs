using System.Text.Json;
using Mirc.Grains.Storage.Blobs;

namespace Mirc.Api.Authentication;

/// <summary>Where the signing keys live: read with a version, replace only if unchanged (rotation by several silos).</summary>
internal interface ISigningKeyStore
{
    /// <summary>Human-readable location, for logs.</summary>
    string Location { get; }

    /// <summary>The keys and their version, or (null, null) when none are stored yet.</summary>
    Task<(SigningKeyFile? File, string? Version)> ReadAsync(CancellationToken cancellationToken);

    /// <summary>Replaces the keys if their version is still <paramref name="expectedVersion"/> (null: must not exist); false on conflict.</summary>
    Task<bool> TryWriteAsync(SigningKeyFile file, string? expectedVersion, CancellationToken cancellationToken);
}

/// <summary>
/// Keys in the archive's blob store (grain-state container), shared by every silo of a cluster; ETag optimistic
/// concurrency makes concurrent rotations safe. Embedded, the blob store is the data folder's filesystem store.
/// </summary>
internal sealed class BlobSigningKeyStore(IBlobStore blobs, InstanceBlobLayout layout) : ISigningKeyStore
{
    private readonly BlobKey _key = new(layout.GrainStateContainer, "security/signing-keys.json");

    public string Location => _key.ToString();

    public async Task<(SigningKeyFile? File, string? Version)> ReadAsync(CancellationToken cancellationToken)
    {
        var content = await blobs.TryReadAllAsync(_key, cancellationToken).ConfigureAwait(false);
        return content is null
            ? (null, null)
            : (JsonSerializer.Deserialize(content.Content.Span, SigningKeyFileJson.Default.SigningKeyFile), content.ETag.Value);
    }

    public async Task<bool> TryWriteAsync(SigningKeyFile file, string? expectedVersion, CancellationToken cancellationToken)
    {
        var bytes = JsonSerializer.SerializeToUtf8Bytes(file, SigningKeyFileJson.Default.SigningKeyFile);
        try
        {
            await blobs.WriteIfMatchAsync(_key, bytes, expectedVersion is null ? null : new BlobETag(expectedVersion), cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (BlobConcurrencyException)
        {
            return false;
        }
    }
}

/// <summary>
/// Keys in a private file (<c>Mirc:Auth:KeyPath</c>), for hosts without the archive's blob store (authentication-only
/// hosts and tests). One writer at a time per process; the version is the file's last write time.
/// </summary>
internal sealed class FileSigningKeyStore(string path) : ISigningKeyStore
{
    public string Location => path;

    public async Task<(SigningKeyFile? File, string? Version)> ReadAsync(CancellationToken cancellationToken)
    {
        if (!File.Exists(path)) return (null, null);
        var version = Version();
        await using var stream = File.OpenRead(path);
        var file = await JsonSerializer.DeserializeAsync(stream, SigningKeyFileJson.Default.SigningKeyFile, cancellationToken).ConfigureAwait(false);
        return (file, version);
    }

    public async Task<bool> TryWriteAsync(SigningKeyFile file, string? expectedVersion, CancellationToken cancellationToken)
    {
        var current = File.Exists(path) ? Version() : null;
        if (!string.Equals(current, expectedVersion, StringComparison.Ordinal)) return false;
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        // A name of its own: two silos rotating at once never write into one temporary file (no file locks: Silo csproj).
        var temp = $"{path}.{Guid.NewGuid():N}.tmp";
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write, Share = FileShare.None };
        if (!OperatingSystem.IsWindows()) options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        await using (var stream = new FileStream(temp, options))
        {
            await JsonSerializer.SerializeAsync(stream, file, SigningKeyFileJson.Default.SigningKeyFile, cancellationToken).ConfigureAwait(false);
            await stream.FlushAsync(cancellationToken).ConfigureAwait(false);
            stream.Flush(flushToDisk: true);
        }

        File.Move(temp, path, overwrite: true);
        return true;
    }

    private string Version() => File.GetLastWriteTimeUtc(path).Ticks.ToString(System.Globalization.CultureInfo.InvariantCulture);
}

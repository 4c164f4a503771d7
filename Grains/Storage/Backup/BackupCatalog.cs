using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Mirc.Grains.Storage.Backup;

/// <summary>
/// <c>backup.json</c>, written last into a backup folder: every file it holds with its length and SHA-256, so a restore
/// verifies the copy before it touches the data folder. A folder without it is an unfinished backup.
/// </summary>
public sealed record BackupCatalog
{
    /// <summary>File name of the catalog inside a backup folder.</summary>
    public const string FileName = "backup.json";

    /// <summary>Version of this layout; a restore refuses a newer one.</summary>
    public const int CurrentFormat = 1;

    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    public int Format { get; init; } = CurrentFormat;

    /// <summary>When the copy started (UTC): the audit trail and index are snapshots of that moment.</summary>
    public DateTimeOffset StartedUtc { get; init; }

    public DateTimeOffset FinishedUtc { get; init; }

    /// <summary>Data folder it was taken from (informative).</summary>
    public string Source { get; init; } = "";

    public IReadOnlyList<BackupEntry> Files { get; init; } = [];

    /// <summary>Writes the catalog into <paramref name="backupFolder"/> (temp file, flush, rename: it is there whole or not at all).</summary>
    public async Task WriteAsync(string backupFolder, CancellationToken cancellationToken)
    {
        var path = Path.Combine(backupFolder, FileName);
        var temp = path + ".tmp";
        await using (var stream = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            await JsonSerializer.SerializeAsync(stream, this, Json, cancellationToken).ConfigureAwait(false);
            stream.Flush(flushToDisk: true);
        }

        File.Move(temp, path, overwrite: true);
    }

    /// <summary>Reads the catalog of <paramref name="backupFolder"/>.</summary>
    /// <exception cref="InvalidDataException">No catalog (unfinished backup, wrong folder) or a newer format.</exception>
    public static async Task<BackupCatalog> ReadAsync(string backupFolder, CancellationToken cancellationToken)
    {
        var path = Path.Combine(backupFolder, FileName);
        if (!File.Exists(path))
        {
            throw new InvalidDataException($"{path} is missing: {backupFolder} is not a finished backup");
        }

        await using var stream = File.OpenRead(path);
        var catalog = await JsonSerializer.DeserializeAsync<BackupCatalog>(stream, Json, cancellationToken).ConfigureAwait(false)
            ?? throw new InvalidDataException($"{path} is empty");
        return catalog.Format > CurrentFormat
            ? throw new InvalidDataException($"{path} has format {catalog.Format}; this version restores format {CurrentFormat} and older")
            : catalog;
    }
}

/// <summary>One file of a backup: its path relative to the backup folder ('/' separators), length and SHA-256 (hex).</summary>
public sealed record BackupEntry(
    [property: JsonPropertyName("path")] string Path,
    [property: JsonPropertyName("length")] long Length,
    [property: JsonPropertyName("sha256")] string Sha256)
{
    /// <summary>The entry of the file at <paramref name="file"/>, named <paramref name="path"/> in the backup (read once).</summary>
    public static async Task<BackupEntry> OfFileAsync(string file, string path, CancellationToken cancellationToken)
    {
        await using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan | FileOptions.Asynchronous);
        var hash = Convert.ToHexStringLower(await SHA256.HashDataAsync(stream, cancellationToken).ConfigureAwait(false));
        return new BackupEntry(path, stream.Length, hash);
    }
}

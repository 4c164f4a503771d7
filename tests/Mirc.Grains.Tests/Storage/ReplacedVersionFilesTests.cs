using System.Diagnostics;
using Mirc.Grains.Storage.Blobs;
using Mirc.Testing;
using Xunit;

namespace Mirc.Grains.Tests.Storage;

/// <summary>
/// Replacements by <see cref="IBlobStore.WriteIfMatchAsync"/> on the local file system keep the replaced version's file
/// for a later replacement (<see cref="ReplacedVersionFiles"/>): no inode freed per replacement, and never a file reused
/// before its replacement is durable or while a reader still holds it.
/// </summary>
public sealed class ReplacedVersionFilesTests : IDisposable
{
    private readonly string _root = TestEnvironment.NewTempDirectory("replaced");
    private readonly FileSystemBlobStore _store;
    private readonly BlobKey _key = new("state", "patient/record.rec");

    // Linux only, as the whole suite: shared syncfs rounds and renameat2.
    public ReplacedVersionFilesTests() => _store = new FileSystemBlobStore(_root, FileSystemDurability.SharedSync);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private string PathOf(BlobKey key) => Path.Combine(_root, key.Container, key.Name);

    private string[] DotFiles => Directory.GetFiles(Path.GetDirectoryName(PathOf(_key))!, ".*");

    public void Dispose()
    {
        _store.Dispose();
        TestEnvironment.TryDeleteDirectory(_root);
    }

    [Fact]
    public async Task Replacing_a_key_again_and_again_reuses_the_replaced_versions_files()
    {
        var etag = await _store.WriteIfMatchAsync(_key, Version(0), null, Ct);
        var inodes = new HashSet<long> { Inode(PathOf(_key)) };
        for (var version = 1; version <= 40; version++)
        {
            etag = await _store.WriteIfMatchAsync(_key, Version(version), etag, Ct);
            inodes.Add(Inode(PathOf(_key)));
            Assert.Equal(Version(version), (await _store.TryReadAllAsync(_key, Ct))!.Content.ToArray());
        }

        // Each replacement was flushed: the next one writes into the file the one before it replaced. Renamed over the
        // key instead, every version would have had a new file (41 inodes) and freed the one before.
        Assert.InRange(inodes.Count, 2, 3);
        Assert.InRange(DotFiles.Length, 1, ReplacedVersionFiles.PerFolder);

        // Kept files go with the store; the key stays.
        _store.Dispose();
        Assert.Empty(DotFiles);
        Assert.Equal(Version(40), File.ReadAllBytes(PathOf(_key)));
    }

    [Fact]
    public async Task A_replaced_versions_file_is_reused_only_after_a_flush_round_that_began_after_the_replacement()
    {
        // Lazy replacements ask no round after their exchange: rewriting the replaced file before one has run could, after
        // a crash that undid the exchange, show an unacknowledged version at the key.
        var etag = await _store.WriteIfMatchAsync(_key, Version(0), null, Ct);
        var first = Inode(PathOf(_key));
        etag = await _store.WriteIfMatchLazilyAsync(_key, Version(1), etag, Ct);
        etag = await _store.WriteIfMatchLazilyAsync(_key, Version(2), etag, Ct);
        Assert.NotEqual(first, Inode(PathOf(_key)));

        // The second replacement's own data round began after the first exchange: now the first file is free again.
        await _store.WriteIfMatchLazilyAsync(_key, Version(3), etag, Ct);
        Assert.Equal(first, Inode(PathOf(_key)));
        Assert.Equal(Version(3), (await _store.TryReadAllAsync(_key, Ct))!.Content.ToArray());
    }

    [Fact]
    public async Task A_reader_holding_a_replaced_version_reads_it_whole_while_the_key_is_replaced_again()
    {
        var etag = await _store.WriteIfMatchAsync(_key, Version(0, 200_000), null, Ct);
        await using var reader = await _store.OpenReadAsync(_key, cancellationToken: Ct);
        var head = new byte[1_000];
        await reader.ReadExactlyAsync(head, Ct);

        // Durable replacements: without the reader's lock its file would be free for the second one.
        for (var version = 1; version <= 5; version++)
        {
            etag = await _store.WriteIfMatchAsync(_key, Version(version, 200_000), etag, Ct);
        }

        var rest = new MemoryStream();
        await reader.CopyToAsync(rest, Ct);
        Assert.Equal(Version(0, 200_000), head.Concat(rest.ToArray()).ToArray());
        Assert.Equal(Version(5, 200_000), (await _store.TryReadAllAsync(_key, Ct))!.Content.ToArray());
    }

    [Fact]
    public async Task A_read_handle_is_checked_against_the_file_its_key_names_now()
    {
        await _store.WriteIfMatchAsync(_key, Version(0), null, Ct);
        var path = PathOf(_key);
        using var handle = File.OpenHandle(path);
        Assert.True(ReplacedVersionFiles.IsStillAt(handle, path));

        // Replaced: the handle holds the file of a version the key no longer names.
        var etag = (await _store.TryGetPropertiesAsync(_key, Ct))!.ETag;
        await _store.WriteIfMatchAsync(_key, Version(1), etag, Ct);
        Assert.False(ReplacedVersionFiles.IsStillAt(handle, path));
        File.Delete(path);
        Assert.False(ReplacedVersionFiles.IsStillAt(handle, path));
    }

    /// <summary>Its number, then filler whose bytes follow it: any mix of two versions is told apart.</summary>
    private static byte[] Version(int version, int length = 300) =>
        [.. System.Text.Encoding.ASCII.GetBytes($"{version:D8}"), .. Enumerable.Range(0, length + (version * 53 % 700)).Select(b => (byte)(b ^ version))];

    private static long Inode(string path)
    {
        using var stat = Process.Start(new ProcessStartInfo("stat", ["-c", "%i", path]) { RedirectStandardOutput = true })!;
        var output = stat.StandardOutput.ReadToEnd();
        stat.WaitForExit();
        return long.Parse(output.Trim(), System.Globalization.CultureInfo.InvariantCulture);
    }
}

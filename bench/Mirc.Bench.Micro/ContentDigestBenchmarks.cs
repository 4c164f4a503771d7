using System.IO.Hashing;
using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;

namespace Mirc.Bench.Micro;

/// <summary>
/// The content digest of one ingested instance (a 512 KB CT slice): SHA-256, the archive's digest until 2026-12-03, and
/// XXH128, its digest since (Grains/Storage/Blobs/ContentDigest.cs), both fed in the blob store's 256 KiB chunks.
/// </summary>
public class ContentDigestBenchmarks
{
    private const int Chunk = 256 * 1024;
    private byte[] instance = [];

    /// <summary>Random bytes the size of a CT slice.</summary>
    [GlobalSetup]
    public void Setup() => instance = RandomNumberGenerator.GetBytes(512 * 1024);

    /// <summary>SHA-256 (OpenSSL on Linux), incremental.</summary>
    [Benchmark(Baseline = true)]
    public byte[] Sha256()
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        for (var offset = 0; offset < instance.Length; offset += Chunk)
        {
            hash.AppendData(instance.AsSpan(offset, Math.Min(Chunk, instance.Length - offset)));
        }

        return hash.GetHashAndReset();
    }

    /// <summary>XXH128 (System.IO.Hashing), incremental.</summary>
    [Benchmark]
    public byte[] Xxh128()
    {
        var hash = new XxHash128();
        for (var offset = 0; offset < instance.Length; offset += Chunk)
        {
            hash.Append(instance.AsSpan(offset, Math.Min(Chunk, instance.Length - offset)));
        }

        return hash.GetCurrentHash();
    }
}

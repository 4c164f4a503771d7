using System.Security.Cryptography;
using System.Text;
using Mirc.Grains.Storage.Blobs;
using Xunit;

namespace Mirc.Grains.Tests.Storage;

public sealed class ContentDigestTests
{
    [Theory]
    // Expected values printed by xxh128sum (Debian package xxhash 0.8.1), an implementation independent of ours.
    [InlineData("", "xxh128:99aa06d3014798d86001c324468d497f")]
    [InlineData("abc", "xxh128:06b05ab6733a618578af5f94892f3950")]
    public void A_new_digest_is_xxh128_in_its_canonical_form(string content, string expected)
    {
        Assert.Equal(expected, ContentDigest.Compute(Encoding.ASCII.GetBytes(content)));
    }

    [Fact]
    public async Task Streamed_and_incremental_digests_equal_the_one_shot_digest()
    {
        var content = RandomNumberGenerator.GetBytes(700_001);
        using var hasher = ContentDigest.CreateHasher();
        foreach (var chunk in content.Chunk(65_537))
        {
            hasher.Append(chunk);
        }

        Assert.Equal(ContentDigest.Compute(content), hasher.Finish());
        Assert.Equal(ContentDigest.Compute(content), await ContentDigest.ComputeAsync(new MemoryStream(content), cancellationToken: TestContext.Current.CancellationToken));
    }

    [Fact]
    public void A_sha256_digest_recorded_before_the_change_is_verified_with_sha256()
    {
        var content = RandomNumberGenerator.GetBytes(10_000);
        var legacy = Convert.ToHexStringLower(SHA256.HashData(content));

        Assert.True(ContentDigest.Matches(legacy, content));
        Assert.True(ContentDigest.Matches(legacy.ToUpperInvariant(), content));
        Assert.False(ContentDigest.Matches(legacy, content.AsSpan(1)));
        Assert.Equal(legacy, ContentDigest.Compute(content, like: legacy));
        Assert.True(ContentDigest.Matches(ContentDigest.Compute(content), content));
        Assert.False(ContentDigest.Matches(ContentDigest.Compute(content), content.AsSpan(1)));
        Assert.False(ContentDigest.SameDigest(legacy, ContentDigest.Compute(content)));
    }

    [Fact]
    public void Names_take_the_hex_digits_without_the_algorithm()
    {
        Assert.Equal("99aa06d3014798d8", ContentDigest.HexPrefix("xxh128:99AA06D3014798D86001C324468D497F", 16));
        Assert.Equal("ba7816bf8f01cfea", ContentDigest.HexPrefix("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", 16));
        Assert.Throws<ArgumentException>(() => ContentDigest.HexPrefix("xxh128:zz", 16));
        Assert.Throws<ArgumentException>(() => ContentDigest.HexPrefix("../../etc/passwd-padding", 16));
    }
}

using System.IO.Hashing;

namespace Mirc.Grains.Tests.Storage;

/// <summary>
/// The manifest's form of an XXH128 content digest, computed here with System.IO.Hashing directly (not through the
/// archive's ContentDigest); ContentDigestTests checks both against xxhsum.
/// </summary>
internal static class Xxh128
{
    public static string Of(ReadOnlySpan<byte> content) => "xxh128:" + Convert.ToHexStringLower(XxHash128.Hash(content));

    public static async Task<string> OfAsync(Stream content, CancellationToken cancellationToken)
    {
        var hash = new XxHash128();
        await hash.AppendAsync(content, cancellationToken);
        return "xxh128:" + Convert.ToHexStringLower(hash.GetCurrentHash());
    }
}

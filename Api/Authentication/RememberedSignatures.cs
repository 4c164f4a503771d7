using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Text;
using Microsoft.IdentityModel.Tokens;

namespace Mirc.Api.Authentication;

/// <summary>
/// The crypto provider factory of the bearer schemes: it remembers which signatures a key has already verified, so the
/// same token presented again — every request of a viewer's session carries it — skips the ECDSA verification (about
/// 80 µs here, a third of the CPU of a small authenticated request). Verifying is a pure function of (key, signed
/// bytes, signature), so a remembered success is exact: another payload or another signature is verified afresh. The
/// memory is per key object and is only consulted once the token's key has been resolved among the current keys: a
/// retired or rotated-out key is never asked again, so its memory never accepts a token. Lifetime, issuer, audience and
/// algorithm are still checked on every request by the handler; only successes are remembered, and at most
/// <see cref="MaxPerKey"/> per key (the memory is cleared when full).
/// </summary>
internal sealed class RememberedSignatures : CryptoProviderFactory
{
    /// <summary>Most signatures remembered per key.</summary>
    internal const int MaxPerKey = 8_192;

    private readonly ConditionalWeakTable<SecurityKey, ConcurrentDictionary<string, byte>> _verified = [];

    /// <summary>The one instance the schemes and the DIMSE token validator share.</summary>
    public static RememberedSignatures Shared { get; } = new();

    /// <inheritdoc />
    public override SignatureProvider CreateForVerifying(SecurityKey key, string algorithm) =>
        CreateForVerifying(key, algorithm, CacheSignatureProviders);

    /// <inheritdoc />
    public override SignatureProvider CreateForVerifying(SecurityKey key, string algorithm, bool cacheProvider) =>
        new RememberingProvider(base.CreateForVerifying(key, algorithm, cacheProvider), _verified.GetValue(key, static _ => new(StringComparer.Ordinal)));

    /// <inheritdoc />
    public override void ReleaseSignatureProvider(SignatureProvider signatureProvider) =>
        base.ReleaseSignatureProvider(signatureProvider is RememberingProvider remembering ? remembering.Inner : signatureProvider);

    private sealed class RememberingProvider(SignatureProvider inner, ConcurrentDictionary<string, byte> verified)
        : SignatureProvider(inner.Key, inner.Algorithm)
    {
        public SignatureProvider Inner { get; } = inner;

        public override byte[] Sign(byte[] input) => Inner.Sign(input);

        public override bool Verify(byte[] input, byte[] signature) =>
            Verify(input, 0, input.Length, signature, 0, signature.Length);

        public override bool Verify(byte[] input, int inputOffset, int inputLength, byte[] signature, int signatureOffset, int signatureLength)
        {
            var memo = Memo(input.AsSpan(inputOffset, inputLength), signature.AsSpan(signatureOffset, signatureLength));
            if (verified.ContainsKey(memo))
            {
                return true;
            }

            if (!Inner.Verify(input, inputOffset, inputLength, signature, signatureOffset, signatureLength))
            {
                return false;
            }

            if (verified.Count >= MaxPerKey)
            {
                verified.Clear();
            }

            verified.TryAdd(memo, 0);
            return true;
        }

        protected override void Dispose(bool disposing)
        {
            // The inner provider belongs to the factory's cache: released there, not disposed here.
        }

        /// <summary>The signed bytes (a JWS header and payload, ASCII) and the signature, as one exact key.</summary>
        private static string Memo(ReadOnlySpan<byte> input, ReadOnlySpan<byte> signature) =>
            string.Concat(Encoding.Latin1.GetString(input), ".", Convert.ToBase64String(signature));
    }
}

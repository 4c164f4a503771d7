using System.Security.Cryptography;
using System.Text;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Mirc.Api.Authentication;
using Xunit;

namespace Mirc.Api.Tests.Authentication;

/// <summary>
/// A bearer token presented again is not verified again, and nothing else changes: another payload, another signature or
/// another key is verified afresh, and lifetime is still checked on every validation.
/// </summary>
public sealed class RememberedSignaturesTests : IDisposable
{
    private readonly ECDsa _ecdsa = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    private readonly ECDsa _otherEcdsa = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    private readonly CountingCryptoProvider _counter = new();
    private readonly RememberedSignatures _factory;
    private readonly ECDsaSecurityKey _key;

    public RememberedSignaturesTests()
    {
        _factory = new RememberedSignatures { CustomCryptoProvider = _counter };
        _key = new ECDsaSecurityKey(_ecdsa) { KeyId = "k1" };
    }

    public void Dispose()
    {
        _ecdsa.Dispose();
        _otherEcdsa.Dispose();
    }

    [Fact]
    public async Task The_same_token_is_verified_once()
    {
        var token = Sign(DateTime.UtcNow.AddMinutes(5));
        var handler = new JsonWebTokenHandler();
        for (var i = 0; i < 5; i++)
        {
            Assert.True((await handler.ValidateTokenAsync(token, Parameters(_key))).IsValid);
        }

        Assert.Equal(1, _counter.Verifications);
    }

    [Fact]
    public async Task Another_payload_under_a_remembered_signature_is_refused()
    {
        var (token, handler) = await RememberedTokenAsync();

        // The same header and signature around a payload claiming another establishment.
        var parts = token.Split('.');
        var forgedPayload = Base64UrlEncoder.Encode(Encoding.UTF8.GetString(Base64UrlEncoder.DecodeBytes(parts[1])).Replace("EST-A", "EST-B", StringComparison.Ordinal));
        var forged = $"{parts[0]}.{forgedPayload}.{parts[2]}";
        var result = await handler.ValidateTokenAsync(forged, Parameters(_key));

        Assert.False(result.IsValid);
        Assert.IsType<SecurityTokenInvalidSignatureException>(result.Exception);
        Assert.Equal(2, _counter.Verifications);
    }

    [Fact]
    public async Task A_remembered_token_is_refused_by_another_key_with_the_same_id()
    {
        var (token, handler) = await RememberedTokenAsync();

        // A rotation that reused the key id: the new key's memory is empty, so the token's signature is checked — and fails.
        var rotated = new ECDsaSecurityKey(_otherEcdsa) { KeyId = "k1" };
        Assert.False((await handler.ValidateTokenAsync(token, Parameters(rotated))).IsValid);
        Assert.Equal(2, _counter.Verifications);
    }

    [Fact]
    public async Task A_remembered_token_still_expires()
    {
        var token = Sign(DateTime.UtcNow.AddMinutes(-10));
        var handler = new JsonWebTokenHandler();
        var lenient = Parameters(_key);
        lenient.ValidateLifetime = false;
        Assert.True((await handler.ValidateTokenAsync(token, lenient)).IsValid);

        var result = await handler.ValidateTokenAsync(token, Parameters(_key));
        Assert.False(result.IsValid);
        Assert.IsType<SecurityTokenExpiredException>(result.Exception);
    }

    [Fact]
    public async Task A_failed_verification_is_not_remembered()
    {
        var parts = Sign(DateTime.UtcNow.AddMinutes(5)).Split('.');
        var broken = $"{parts[0]}.{parts[1]}.{Base64UrlEncoder.Encode(new byte[64])}";
        var handler = new JsonWebTokenHandler();
        Assert.False((await handler.ValidateTokenAsync(broken, Parameters(_key))).IsValid);
        Assert.False((await handler.ValidateTokenAsync(broken, Parameters(_key))).IsValid);
        Assert.Equal(2, _counter.Verifications);
    }

    /// <summary>A valid token, verified once by <c>_key</c> (so its signature is remembered), and the handler that did it.</summary>
    private async Task<(string Token, JsonWebTokenHandler Handler)> RememberedTokenAsync()
    {
        var token = Sign(DateTime.UtcNow.AddMinutes(5));
        var handler = new JsonWebTokenHandler();
        Assert.True((await handler.ValidateTokenAsync(token, Parameters(_key))).IsValid);
        return (token, handler);
    }

    private TokenValidationParameters Parameters(SecurityKey key) => new()
    {
        ValidIssuer = "https://issuer.test",
        ValidAudience = "mirc",
        IssuerSigningKey = key,
        ValidAlgorithms = [SecurityAlgorithms.EcdsaSha256],
        ClockSkew = TimeSpan.Zero,
        CryptoProviderFactory = _factory,
    };

    private string Sign(DateTime expires) => new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false }.CreateToken(new SecurityTokenDescriptor
    {
        Issuer = "https://issuer.test",
        Audience = "mirc",
        IssuedAt = expires.AddMinutes(-5),
        NotBefore = expires.AddMinutes(-5),
        Expires = expires,
        Claims = new Dictionary<string, object> { ["sub"] = "10000000099", ["establishment"] = "EST-A" },
        SigningCredentials = new SigningCredentials(_key, SecurityAlgorithms.EcdsaSha256),
    });

    /// <summary>Hands out the library's own ECDSA verifier, counting the verifications that reach it.</summary>
    private sealed class CountingCryptoProvider : ICryptoProvider
    {
        private int _verifications;

        public int Verifications => _verifications;

        public bool IsSupportedAlgorithm(string algorithm, params object[] args) => args.FirstOrDefault() is ECDsaSecurityKey;

        public object Create(string algorithm, params object[] args) =>
            new Counting(new AsymmetricSignatureProvider((SecurityKey)args[0], algorithm, willCreateSignatures: args.Length > 1 && args[1] is true), this);

        public void Release(object cryptoInstance) => (cryptoInstance as IDisposable)?.Dispose();

        private sealed class Counting(SignatureProvider inner, CountingCryptoProvider owner) : SignatureProvider(inner.Key, inner.Algorithm)
        {
            public override byte[] Sign(byte[] input) => inner.Sign(input);

            public override bool Verify(byte[] input, byte[] signature)
            {
                Interlocked.Increment(ref owner._verifications);
                return inner.Verify(input, signature);
            }

            public override bool Verify(byte[] input, int inputOffset, int inputLength, byte[] signature, int signatureOffset, int signatureLength)
            {
                Interlocked.Increment(ref owner._verifications);
                return inner.Verify(input, inputOffset, inputLength, signature, signatureOffset, signatureLength);
            }

            protected override void Dispose(bool disposing) => inner.Dispose();
        }
    }
}

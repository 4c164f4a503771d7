using System.Security.Cryptography;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;
using Mirc.Grains.Security.Secrets;
using Mirc.Grains.Storage.Blobs;

namespace Mirc.Api.Authentication;

/// <summary>
/// The local issuer's signing keys, stored in the archive's blob store (shared by every silo; a file under the data
/// folder when the host has no blob store). The newest key signs; older keys keep validating until every token they
/// signed has expired (then they are dropped), so rotation never logs anyone out. Keys are loaded at start-up by
/// <see cref="SigningKeyRingLoader"/>, which also picks up another silo's rotation within <see cref="ReloadInterval"/>.
/// </summary>
public sealed partial class SigningKeyRing : IDisposable
{
    /// <summary>How often the store is checked for changes made by another host.</summary>
    public static readonly TimeSpan ReloadInterval = TimeSpan.FromSeconds(30);

    private const int MaxWriteAttempts = 5;

    private readonly MircAuthOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<SigningKeyRing> _logger;
    private readonly ISigningKeyStore _store;
    private readonly IDataProtector _protector;
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private volatile Snapshot? _snapshot;

    /// <summary>Creates the ring on the archive's blob store when registered, else on <see cref="MircAuthOptions.KeyPath"/>.</summary>
    public SigningKeyRing(IOptions<MircAuthOptions> options, TimeProvider time, ILogger<SigningKeyRing> logger, IServiceProvider services)
    {
        _options = options.Value;
        _time = time;
        _logger = logger;
        FilePath = Path.GetFullPath(_options.KeyPath ?? Path.Combine("data", "security", "signing-keys.json"));
        var blobs = services.GetService<IBlobStore>();
        var layout = services.GetService<InstanceBlobLayout>();
        _store = blobs is not null && layout is not null ? new BlobSigningKeyStore(blobs, layout) : new FileSigningKeyStore(FilePath);
        _protector = services.GetRequiredService<IDataProtectionProvider>().CreateProtector(SecretProtection.SigningKeysPurpose);
    }

    /// <summary>The key file used when the host has no blob store (<c>Mirc:Auth:KeyPath</c>).</summary>
    public string FilePath { get; }

    /// <summary>Where the keys are stored (blob key or file path).</summary>
    public string Location => _store.Location;

    /// <summary>Credentials of the active key.</summary>
    public SigningCredentials SigningCredentials => Current().Signing;

    /// <summary>Keys accepted for validation (active and not yet retired).</summary>
    public IReadOnlyList<SecurityKey> ValidationKeys => Current().Validation;

    /// <summary>Key id of the active key.</summary>
    public string ActiveKeyId => Current().Signing.Key.KeyId;

    /// <summary>Whether the active key is older than the rotation interval.</summary>
    public bool IsRotationDue => Current().ActiveCreated + _options.KeyRotationInterval <= _time.GetUtcNow();

    /// <summary>Public keys as a JWKS document.</summary>
    public JsonWebKeySet PublicKeySet()
    {
        var set = new JsonWebKeySet();
        foreach (var key in ValidationKeys.OfType<ECDsaSecurityKey>())
        {
            var parameters = key.ECDsa.ExportParameters(includePrivateParameters: false);
            set.Keys.Add(new JsonWebKey
            {
                Kty = "EC",
                Crv = "P-256",
                Kid = key.KeyId,
                Use = "sig",
                Alg = MircAuthenticationDefaults.Algorithm,
                X = Base64UrlEncoder.Encode(parameters.Q.X),
                Y = Base64UrlEncoder.Encode(parameters.Q.Y),
            });
        }

        return set;
    }

    /// <summary>Creates a new active key; the previous one keeps validating until its tokens have expired. Returns the new kid.</summary>
    public async Task<string> RotateAsync(CancellationToken cancellationToken = default)
    {
        var entry = NewEntry(_time.GetUtcNow());
        await UpdateAsync(file =>
        {
            var now = _time.GetUtcNow();
            if (file.Keys.Count > 0)
            {
                file.Keys[^1].Superseded ??= now;
            }

            file.Keys.Add(entry);
            Prune(file, now);
            return true;
        }, cancellationToken).ConfigureAwait(false);
        LogRotated(_logger, entry.KeyId);
        return entry.KeyId;
    }

    /// <summary>Drops a non-active key at once (e.g. suspected compromise): its tokens stop validating.</summary>
    public async Task<bool> RetireAsync(string keyId, CancellationToken cancellationToken = default)
    {
        return await UpdateAsync(
            file => file.Keys.Count > 0 && file.Keys[^1].KeyId != keyId && file.Keys.RemoveAll(k => k.KeyId == keyId) > 0,
            cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public void Dispose() => _writeLock.Dispose();

    /// <summary>
    /// Loads the keys (creating the first one when none exist) or picks up a change made by another host. Called at
    /// start-up and every <see cref="ReloadInterval"/> by <see cref="SigningKeyRingLoader"/>.
    /// </summary>
    public async Task LoadAsync(CancellationToken cancellationToken = default)
    {
        var (file, version) = await _store.ReadAsync(cancellationToken).ConfigureAwait(false);
        if (file is null || file.Keys.Count == 0)
        {
            // Creates the first key unless another host just did (then its keys are adopted).
            await UpdateAsync(_ => false, cancellationToken).ConfigureAwait(false);
            return;
        }

        if (file.Keys.Any(k => k.Pkcs8 is not null))
        {
            // Written before keys were encrypted: encrypt them in place (same key ids, so issued tokens stay valid).
            await UpdateAsync(Encrypt, cancellationToken).ConfigureAwait(false);
            LogEncrypted(_logger, _store.Location);
            return;
        }

        if (_snapshot is { } current && string.Equals(current.Version, version, StringComparison.Ordinal))
        {
            return;
        }

        Prune(file, _time.GetUtcNow());
        _snapshot = Build(file, version);
    }

    private Snapshot Current() =>
        _snapshot ?? throw new InvalidOperationException("The signing keys are not loaded yet (SigningKeyRingLoader runs at start-up).");

    /// <summary>Read, change, write-if-unchanged; on a concurrent change by another host, re-read and re-decide.</summary>
    private async Task<bool> UpdateAsync(Func<SigningKeyFile, bool> change, CancellationToken cancellationToken)
    {
        await _writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            for (var attempt = 1; ; attempt++)
            {
                var (file, version) = await _store.ReadAsync(cancellationToken).ConfigureAwait(false);
                file ??= new SigningKeyFile();
                var created = file.Keys.Count == 0;
                if (created)
                {
                    file.Keys.Add(NewEntry(_time.GetUtcNow()));
                }

                var changed = change(file) | created;
                if (!changed)
                {
                    _snapshot = Build(file, version);
                    return false;
                }

                if (await _store.TryWriteAsync(file, version, cancellationToken).ConfigureAwait(false))
                {
                    // Re-read for the new version so the next reload does not rebuild needlessly.
                    var (_, written) = await _store.ReadAsync(cancellationToken).ConfigureAwait(false);
                    _snapshot = Build(file, written);
                    if (created)
                    {
                        LogCreated(_logger, file.Keys[0].KeyId, _store.Location);
                    }

                    return true;
                }

                if (attempt >= MaxWriteAttempts)
                {
                    throw new InvalidOperationException($"The signing keys at {_store.Location} kept changing concurrently.");
                }
            }
        }
        finally
        {
            _writeLock.Release();
        }
    }

    private void Prune(SigningKeyFile file, DateTimeOffset now)
    {
        // A superseded key signed nothing after it was superseded: once the longest token lifetime has passed, nothing it signed is valid.
        var grace = _options.TokenLifetime + _options.ClockSkew + TimeSpan.FromMinutes(5);
        file.Keys.RemoveAll(k => k.Superseded is { } superseded && superseded + grace < now && k != file.Keys[^1]);
    }

    private bool Encrypt(SigningKeyFile file)
    {
        var changed = false;
        foreach (var entry in file.Keys.Where(k => k.Pkcs8 is not null))
        {
            entry.Protected = _protector.Protect(entry.Pkcs8!);
            entry.Pkcs8 = null;
            changed = true;
        }

        return changed;
    }

    private Snapshot Build(SigningKeyFile file, string? version)
    {
        var keys = file.Keys.Select(ToSecurityKey).ToArray();
        return new Snapshot(new SigningCredentials(keys[^1], SecurityAlgorithms.EcdsaSha256), keys, file.Keys[^1].Created, version);
    }

    private ECDsaSecurityKey ToSecurityKey(SigningKeyEntry entry)
    {
        var ecdsa = ECDsa.Create();
        ecdsa.ImportPkcs8PrivateKey(Convert.FromBase64String(entry.Pkcs8 ?? _protector.Unprotect(entry.Protected!)), out _);
        return new ECDsaSecurityKey(ecdsa) { KeyId = entry.KeyId };
    }

    private SigningKeyEntry NewEntry(DateTimeOffset now)
    {
        using var ecdsa = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        return new SigningKeyEntry
        {
            KeyId = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8)),
            Created = now,
            Protected = _protector.Protect(Convert.ToBase64String(ecdsa.ExportPkcs8PrivateKey())),
        };
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Created signing key {KeyId} in {Path}")]
    private static partial void LogCreated(ILogger logger, string keyId, string path);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Signing keys in {Location} were stored in clear: encrypted with Data Protection")]
    private static partial void LogEncrypted(ILogger logger, string location);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Signing key rotated: {KeyId} is now active")]
    private static partial void LogRotated(ILogger logger, string keyId);

    private sealed record Snapshot(SigningCredentials Signing, IReadOnlyList<SecurityKey> Validation, DateTimeOffset ActiveCreated, string? Version);
}

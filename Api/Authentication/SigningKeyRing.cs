using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;

namespace Mirc.Api.Authentication;

/// <summary>
/// The local issuer's signing keys, persisted in a file under the data folder. The newest key signs; older keys keep
/// validating until every token they signed has expired (then they are dropped), so rotation never logs anyone out.
/// Other hosts sharing the folder pick up a rotation within <see cref="ReloadInterval"/>.
/// </summary>
public sealed partial class SigningKeyRing : IDisposable
{
    /// <summary>How often the file is checked for changes made by another host.</summary>
    public static readonly TimeSpan ReloadInterval = TimeSpan.FromSeconds(30);

    private readonly MircAuthOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<SigningKeyRing> _logger;
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly Lock _loadLock = new();
    private volatile Snapshot? _snapshot;
    private long _nextReloadCheckTicks;

    /// <summary>Creates the ring (keys are loaded or created on first use).</summary>
    public SigningKeyRing(IOptions<MircAuthOptions> options, TimeProvider time, ILogger<SigningKeyRing> logger)
    {
        _options = options.Value;
        _time = time;
        _logger = logger;
        FilePath = Path.GetFullPath(_options.KeyPath ?? Path.Combine("data", "security", "signing-keys.json"));
    }

    /// <summary>The key file.</summary>
    public string FilePath { get; }

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
        await _writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var file = await ReadFileAsync(cancellationToken).ConfigureAwait(false) ?? new SigningKeyFile();
            var now = _time.GetUtcNow();
            if (file.Keys.Count > 0)
            {
                file.Keys[^1].Superseded ??= now;
            }

            var entry = NewEntry(now);
            file.Keys.Add(entry);
            Prune(file, now);
            await WriteFileAsync(file, cancellationToken).ConfigureAwait(false);
            _snapshot = Build(file);
            LogRotated(_logger, entry.KeyId);
            return entry.KeyId;
        }
        finally
        {
            _writeLock.Release();
        }
    }

    /// <summary>Drops a non-active key at once (e.g. suspected compromise): its tokens stop validating.</summary>
    public async Task<bool> RetireAsync(string keyId, CancellationToken cancellationToken = default)
    {
        await _writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var file = await ReadFileAsync(cancellationToken).ConfigureAwait(false);
            if (file is null || file.Keys.Count == 0 || file.Keys[^1].KeyId == keyId)
            {
                return false;
            }

            var removed = file.Keys.RemoveAll(k => k.KeyId == keyId) > 0;
            if (removed)
            {
                await WriteFileAsync(file, cancellationToken).ConfigureAwait(false);
                _snapshot = Build(file);
            }

            return removed;
        }
        finally
        {
            _writeLock.Release();
        }
    }

    /// <inheritdoc />
    public void Dispose() => _writeLock.Dispose();

    private Snapshot Current()
    {
        var snapshot = _snapshot;
        var now = _time.GetUtcNow();
        if (snapshot is not null && now.UtcTicks < Volatile.Read(ref _nextReloadCheckTicks))
        {
            return snapshot;
        }

        lock (_loadLock)
        {
            if (_snapshot is not null && now.UtcTicks < Volatile.Read(ref _nextReloadCheckTicks))
            {
                return _snapshot;
            }

            Volatile.Write(ref _nextReloadCheckTicks, (now + ReloadInterval).UtcTicks);
            var lastWrite = File.Exists(FilePath) ? File.GetLastWriteTimeUtc(FilePath) : DateTime.MinValue;
            if (_snapshot is not null && _snapshot.FileTime == lastWrite)
            {
                return _snapshot;
            }

            // Start-up (or a change by another host): small file, read synchronously once.
            SigningKeyFile? file = null;
            if (File.Exists(FilePath))
            {
                file = JsonSerializer.Deserialize(File.ReadAllText(FilePath), SigningKeyFileJson.Default.SigningKeyFile);
            }

            if (file is null || file.Keys.Count == 0)
            {
                file = new SigningKeyFile { Keys = [NewEntry(now)] };
                Directory.CreateDirectory(Path.GetDirectoryName(FilePath)!);
                WriteFileSync(file);
                LogCreated(_logger, file.Keys[0].KeyId, FilePath);
            }

            Prune(file, now);
            _snapshot = Build(file);
            return _snapshot;
        }
    }

    private void Prune(SigningKeyFile file, DateTimeOffset now)
    {
        // A superseded key signed nothing after it was superseded: once the longest token lifetime has passed, nothing it signed is valid.
        var grace = _options.TokenLifetime + _options.ClockSkew + TimeSpan.FromMinutes(5);
        file.Keys.RemoveAll(k => k.Superseded is { } superseded && superseded + grace < now && k != file.Keys[^1]);
    }

    private Snapshot Build(SigningKeyFile file)
    {
        var keys = file.Keys.Select(ToSecurityKey).ToArray();
        var active = keys[^1];
        var lastWrite = File.Exists(FilePath) ? File.GetLastWriteTimeUtc(FilePath) : DateTime.MinValue;
        return new Snapshot(new SigningCredentials(active, SecurityAlgorithms.EcdsaSha256), keys, file.Keys[^1].Created, lastWrite);
    }

    private static ECDsaSecurityKey ToSecurityKey(SigningKeyEntry entry)
    {
        var ecdsa = ECDsa.Create();
        ecdsa.ImportPkcs8PrivateKey(Convert.FromBase64String(entry.Pkcs8), out _);
        return new ECDsaSecurityKey(ecdsa) { KeyId = entry.KeyId };
    }

    private static SigningKeyEntry NewEntry(DateTimeOffset now)
    {
        using var ecdsa = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        return new SigningKeyEntry
        {
            KeyId = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8)),
            Created = now,
            Pkcs8 = Convert.ToBase64String(ecdsa.ExportPkcs8PrivateKey()),
        };
    }

    private async Task<SigningKeyFile?> ReadFileAsync(CancellationToken cancellationToken)
    {
        if (!File.Exists(FilePath))
        {
            return null;
        }

        await using var stream = File.OpenRead(FilePath);
        return await JsonSerializer.DeserializeAsync(stream, SigningKeyFileJson.Default.SigningKeyFile, cancellationToken).ConfigureAwait(false);
    }

    private async Task WriteFileAsync(SigningKeyFile file, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(FilePath)!);
        var temp = FilePath + ".tmp";
        await using (var stream = CreatePrivateFile(temp))
        {
            await JsonSerializer.SerializeAsync(stream, file, SigningKeyFileJson.Default.SigningKeyFile, cancellationToken).ConfigureAwait(false);
            await stream.FlushAsync(cancellationToken).ConfigureAwait(false);
            stream.Flush(flushToDisk: true);
        }

        File.Move(temp, FilePath, overwrite: true);
    }

    private void WriteFileSync(SigningKeyFile file)
    {
        var temp = FilePath + ".tmp";
        using (var stream = CreatePrivateFile(temp))
        {
            JsonSerializer.Serialize(stream, file, SigningKeyFileJson.Default.SigningKeyFile);
            stream.Flush(flushToDisk: true);
        }

        File.Move(temp, FilePath, overwrite: true);
    }

    private static FileStream CreatePrivateFile(string path)
    {
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write, Share = FileShare.None };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        return new FileStream(path, options);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Created signing key {KeyId} in {Path}")]
    private static partial void LogCreated(ILogger logger, string keyId, string path);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Signing key rotated: {KeyId} is now active")]
    private static partial void LogRotated(ILogger logger, string keyId);

    private sealed record Snapshot(SigningCredentials Signing, IReadOnlyList<SecurityKey> Validation, DateTimeOffset ActiveCreated, DateTime FileTime);
}

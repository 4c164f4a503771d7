using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Mirc.Grains.Security.Secrets;

/// <summary>Where first-start one-time credentials go (<c>&lt;DataPath&gt;/security/first-start-credentials.txt</c> by default).</summary>
public sealed class FirstStartCredentialsOptions
{
    /// <summary>File path.</summary>
    public string? Path { get; set; }
}

/// <summary>
/// The one-time passwords and TOTP enrolment URIs of accounts created at first start, appended to a file only the
/// service user can read (0600, in a 0700 folder) — never to stdout, which is the log stream under systemd or in a
/// container. Only the path is logged.
/// </summary>
public sealed partial class FirstStartCredentialsFile(IOptions<FirstStartCredentialsOptions> options, ILogger<FirstStartCredentialsFile> logger)
{
    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private readonly SemaphoreSlim _gate = new(1, 1);

    /// <summary>The file.</summary>
    public string Path { get; } = System.IO.Path.GetFullPath(options.Value.Path ?? throw new InvalidOperationException("first-start credentials path not set"));

    /// <summary>The default path under the data folder.</summary>
    public static string DefaultPath(IConfiguration configuration) =>
        System.IO.Path.Combine(configuration["Mirc:DataPath"] ?? "./data", "security", "first-start-credentials.txt");

    /// <summary>Appends <paramref name="text"/> (the credentials of <paramref name="username"/>) and logs where.</summary>
    public async Task AppendAsync(string username, string text, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var folder = System.IO.Path.GetDirectoryName(Path)!;
            var streamOptions = new FileStreamOptions { Mode = FileMode.Append, Access = FileAccess.Write, Share = FileShare.None };
            if (!OperatingSystem.IsWindows())
            {
                Directory.CreateDirectory(folder, OwnerOnly | UnixFileMode.UserExecute);
                streamOptions.UnixCreateMode = OwnerOnly;
                // A file left by someone else with a wider mode is narrowed before a secret goes in.
                if (File.Exists(Path)) File.SetUnixFileMode(Path, OwnerOnly);
            }
            else
            {
                Directory.CreateDirectory(folder);
            }

            await using (var stream = new FileStream(Path, streamOptions))
            await using (var writer = new StreamWriter(stream))
            {
                await writer.WriteLineAsync(text.AsMemory(), cancellationToken).ConfigureAwait(false);
            }

            LogWritten(logger, username, Path);
        }
        finally
        {
            _gate.Release();
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "One-time credentials of {Username} written to {Path} (readable by the service user only; delete it after the first login)")]
    private static partial void LogWritten(ILogger logger, string username, string path);
}

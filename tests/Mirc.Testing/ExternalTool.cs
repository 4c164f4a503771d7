using System.Diagnostics;
using System.Text;

namespace Mirc.Testing;

/// <summary>What a tool run to the end returned.</summary>
public sealed record ToolResult(int ExitCode, string StandardOutput, string StandardError)
{
    /// <summary>Both streams, for failure messages: tools log to one or the other depending on their build.</summary>
    public string Combined => StandardOutput + StandardError;
}

/// <summary>
/// Runs an independent tool (dcmtk, dicom3tools, dcm2niix, openssl, a script…) to the end, bounded in time: the one place
/// the tests start a process and wait for it, so every caller gets the same time-out, kill and output capture.
/// </summary>
public static class ExternalTool
{
    /// <summary>The bound of <see cref="RunAsync(string, string[])"/>: long enough for a loaded CI machine.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(60);

    /// <summary>
    /// Runs <paramref name="tool"/> with <paramref name="args"/> and returns its exit code and output (Latin-1, as DICOM
    /// tools print values); killed, with a <see cref="TimeoutException"/>, after 60 s.
    /// </summary>
    public static Task<ToolResult> RunAsync(string tool, params string[] args) =>
        RunAsync(tool, args, DefaultTimeout, CancellationToken.None);

    /// <summary>
    /// Runs <paramref name="tool"/> to the end. Past <paramref name="timeout"/> its process tree is killed and a
    /// <see cref="TimeoutException"/> names it with the output it had written (a hung tool's last words say why);
    /// <paramref name="cancellationToken"/> kills it too (the test was cancelled).
    /// </summary>
    /// <param name="tool">Program name (looked up on PATH) or path.</param>
    /// <param name="args">Arguments, passed as they are (no shell quoting).</param>
    /// <param name="timeout">How long the tool may run, output included.</param>
    /// <param name="cancellationToken">The test's token.</param>
    /// <param name="workingDirectory">Its working folder; the test host's when null.</param>
    /// <param name="environment">Variables added to the inherited environment; a null value removes one.</param>
    /// <param name="standardInput">Written to its standard input, which is then closed (closed at once when null, so a
    /// tool that would read a terminal, as openssl s_client does, ends instead of waiting).</param>
    /// <param name="outputEncoding">Encoding of its standard output: Latin-1 when null, as DICOM tools print values
    /// byte for byte; standard error, messages, is read as UTF-8.</param>
    public static async Task<ToolResult> RunAsync(
        string tool,
        IEnumerable<string> args,
        TimeSpan timeout,
        CancellationToken cancellationToken,
        string? workingDirectory = null,
        IReadOnlyDictionary<string, string?>? environment = null,
        string? standardInput = null,
        Encoding? outputEncoding = null)
    {
        var start = new ProcessStartInfo(tool)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            StandardInputEncoding = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false),
            StandardOutputEncoding = outputEncoding ?? Encoding.Latin1,
            StandardErrorEncoding = Encoding.UTF8,
        };
        if (workingDirectory is not null)
        {
            start.WorkingDirectory = workingDirectory;
        }

        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string?>())
        {
            if (value is null)
            {
                start.Environment.Remove(name);
            }
            else
            {
                start.Environment[name] = value;
            }
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{tool} could not start (./test.sh installs it)");
        // Read into buffers rather than ReadToEnd: on a time-out what was written so far is still there to report.
        var stdout = new StringBuilder();
        var stderr = new StringBuilder();
        var reading = Task.WhenAll(CopyAsync(process.StandardOutput, stdout), CopyAsync(process.StandardError, stderr));
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(timeout);
        try
        {
            await WriteInputAsync(process.StandardInput, standardInput, limit.Token).ConfigureAwait(false);
            await process.WaitForExitAsync(limit.Token).ConfigureAwait(false);
            // A child the tool left behind may hold the pipes open: bounded too.
            await reading.WaitAsync(limit.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10), CancellationToken.None).ConfigureAwait(false);
            cancellationToken.ThrowIfCancellationRequested();
            throw new TimeoutException($"{tool} {string.Join(' ', start.ArgumentList)} did not finish in {timeout.TotalSeconds:0.#} s: {Snapshot(stdout)}{Snapshot(stderr)}");
        }

        return new ToolResult(process.ExitCode, Snapshot(stdout), Snapshot(stderr));
    }

    /// <summary>
    /// <see cref="RunAsync(string, IEnumerable{string}, TimeSpan, CancellationToken, string?, IReadOnlyDictionary{string, string?}?, string?, Encoding?)"/>
    /// for callers that cannot await (a constructor, a lazy value, a <see cref="Parallel"/> loop).
    /// </summary>
    public static ToolResult Run(string tool, IEnumerable<string> args, TimeSpan timeout, Encoding? outputEncoding = null) =>
        RunAsync(tool, args, timeout, CancellationToken.None, outputEncoding: outputEncoding).GetAwaiter().GetResult();

    private static async Task CopyAsync(StreamReader from, StringBuilder into)
    {
        var buffer = new char[8192];
        int read;
        while ((read = await from.ReadAsync(buffer).ConfigureAwait(false)) > 0)
        {
            lock (into)
            {
                into.Append(buffer, 0, read);
            }
        }
    }

    private static async Task WriteInputAsync(StreamWriter input, string? content, CancellationToken cancellationToken)
    {
        try
        {
            if (content is not null)
            {
                await input.WriteAsync(content.AsMemory(), cancellationToken).ConfigureAwait(false);
                await input.FlushAsync(cancellationToken).ConfigureAwait(false);
            }

            input.Close();
        }
        catch (IOException)
        {
            // The tool ended (or closed its input) without reading it all: its exit code and output say what happened.
        }
    }

    private static string Snapshot(StringBuilder buffer)
    {
        lock (buffer)
        {
            return buffer.ToString();
        }
    }
}

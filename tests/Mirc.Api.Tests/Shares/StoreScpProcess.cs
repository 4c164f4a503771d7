using System.Diagnostics;
using System.Net.Sockets;

namespace Mirc.Api.Tests.Shares;

/// <summary>A dcmtk <c>storescp</c> on a loopback port that writes what it receives into a temporary folder.</summary>
internal sealed class StoreScpProcess : IAsyncDisposable
{
    private readonly Process _process;

    private StoreScpProcess(Process process, string aeTitle, int port, string folder)
    {
        _process = process;
        AeTitle = aeTitle;
        Port = port;
        Folder = folder;
    }

    public string AeTitle { get; }

    public int Port { get; }

    public string Folder { get; }

    public static Task<StoreScpProcess> StartAsync(string aeTitle, CancellationToken cancellationToken, params string[] options) =>
        StartAsync(aeTitle, ShareTestHost.FreePort(), cancellationToken, options);

    /// <summary>Starts storescp on <paramref name="port"/> (a recipient that comes up where it was registered).</summary>
    public static async Task<StoreScpProcess> StartAsync(string aeTitle, int port, CancellationToken cancellationToken, params string[] options)
    {
        var folder = Directory.CreateTempSubdirectory("mirc-storescp-").FullName;
        var start = new ProcessStartInfo("storescp") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        // +xa: accept every transfer syntax storescp knows (compressed ones too), so stored bytes go through unchanged.
        foreach (var argument in options.Concat(["-aet", aeTitle, "+xa", "-od", folder, port.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
            start.ArgumentList.Add(argument);
        start.Environment["TCP_NODELAY"] = "1";
        var process = Process.Start(start) ?? throw new InvalidOperationException("storescp did not start");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(TimeSpan.FromSeconds(10));
        while (true)
        {
            try
            {
                using var probe = new TcpClient();
                await probe.ConnectAsync("127.0.0.1", port, deadline.Token);
                break;
            }
            catch (SocketException)
            {
                await Task.Delay(50, deadline.Token);
            }
        }
        return new StoreScpProcess(process, aeTitle, port, folder);
    }

    /// <summary>The received file of <paramref name="sopInstanceUid"/> (storescp names files after the SOP Instance UID), or null.</summary>
    public string? ReceivedFile(string sopInstanceUid) =>
        Directory.EnumerateFiles(Folder).FirstOrDefault(f => Path.GetFileName(f).EndsWith("." + sopInstanceUid, StringComparison.Ordinal));

    public async ValueTask DisposeAsync()
    {
        try { _process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
        await _process.WaitForExitAsync(CancellationToken.None);
        _process.Dispose();
        try { Directory.Delete(Folder, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}

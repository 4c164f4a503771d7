using System.Diagnostics;
using System.Net.Sockets;

namespace Mirc.Integration.Tests.Dimse;

/// <summary>A dcmtk storescp receiving into a folder for the life of the test.</summary>
internal sealed class DcmtkStoreScp : IDisposable
{
    private readonly Process _process;

    private DcmtkStoreScp(Process process) => _process = process;

    public static DcmtkStoreScp Start(string aeTitle, int port, string folder, params string[] options)
    {
        var start = new ProcessStartInfo("/usr/bin/storescp") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in options.Concat(["-aet", aeTitle, "-od", folder, port.ToString()]))
        {
            start.ArgumentList.Add(a);
        }

        start.Environment["TCP_NODELAY"] = "1";
        var process = Process.Start(start) ?? throw new InvalidOperationException("storescp did not start");
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                using var probe = new TcpClient();
                probe.Connect("127.0.0.1", port);
                break;
            }
            catch (SocketException)
            {
                Thread.Sleep(50);
            }
        }

        return new DcmtkStoreScp(process);
    }

    public void Dispose()
    {
        try { _process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
        _process.Dispose();
    }
}

using System.Diagnostics;
using System.Globalization;
using System.Text;
using Mirc.Testing;
using Xunit;

namespace Mirc.Integration.Tests.Infra;

/// <summary>
/// A private network namespace (<c>unshare -n</c>) with loopback up and one non-loopback address on a veth pair whose
/// both ends stay inside: a server bound there is reachable only from processes started in the namespace
/// (<see cref="Command"/>, through <c>nsenter</c>), and nothing it sends can leave the machine.
/// </summary>
public sealed class NetworkNamespace : IAsyncDisposable
{
    private readonly Process _holder;

    private NetworkNamespace(Process holder, string address)
    {
        _holder = holder;
        Address = address;
    }

    /// <summary>The namespace's non-loopback address (like a pod IP).</summary>
    public string Address { get; }

    /// <summary>
    /// Creates the namespace, kept alive by a <c>sleep</c> that ends by itself after <paramref name="lifetime"/> if the
    /// test process dies. Fails (never skips) when the kernel or the container refuses it, saying what is needed.
    /// </summary>
    public static async Task<NetworkNamespace> CreateAsync(string address, int prefixLength, TimeSpan lifetime, CancellationToken cancellationToken)
    {
        Assert.SkipWhen(OperatingSystem.IsWindows(), "network namespaces are a Linux feature");
        var setup = string.Join(" && ",
            "ip link set lo up",
            "ip link add mirc0 type veth peer name mirc1",
            $"ip addr add {address}/{prefixLength} dev mirc0",
            "ip link set mirc0 up",
            "ip link set mirc1 up",
            "echo namespace-ready",
            $"exec sleep {(int)lifetime.TotalSeconds}");
        var start = new ProcessStartInfo("unshare")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { "-n", "--", "sh", "-c", setup })
        {
            start.ArgumentList.Add(argument);
        }

        Process holder;
        try
        {
            holder = Process.Start(start) ?? throw new InvalidOperationException("unshare did not start");
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            throw new InvalidOperationException("unshare (util-linux) and ip (iproute2) are needed for the image start test", ex);
        }

        var line = await holder.StandardOutput.ReadLineAsync(cancellationToken).AsTask().WaitAsync(TimeSpan.FromSeconds(20), cancellationToken);
        if (line != "namespace-ready")
        {
            var error = await holder.StandardError.ReadToEndAsync(cancellationToken).WaitAsync(TimeSpan.FromSeconds(5), cancellationToken);
            holder.Kill();
            holder.Dispose();
            throw new InvalidOperationException(
                "Cannot create a private network namespace with a veth pair (unshare -n; needs root or CAP_SYS_ADMIN + " +
                "CAP_NET_ADMIN, e.g. a CI container started with --cap-add SYS_ADMIN --cap-add NET_ADMIN or --privileged): " + error);
        }

        return new NetworkNamespace(holder, address);
    }

    /// <summary><c>nsenter</c> arguments that run <paramref name="program"/> inside the namespace (same PID: nsenter execs it).</summary>
    public IReadOnlyList<string> Command(string program, params string[] arguments) =>
        [$"--net=/proc/{_holder.Id.ToString(CultureInfo.InvariantCulture)}/ns/net", "--", program, .. arguments];

    /// <summary>Runs a command inside the namespace to completion.</summary>
    public Task<ToolResult> RunAsync(TimeSpan timeout, CancellationToken cancellationToken, string program, params string[] arguments) =>
        ExternalTool.RunAsync("nsenter", Command(program, arguments), timeout, cancellationToken, RepositoryRoot.Path, outputEncoding: Encoding.UTF8);

    public async ValueTask DisposeAsync()
    {
        if (!_holder.HasExited)
        {
            _holder.Kill();
            await _holder.WaitForExitAsync(CancellationToken.None);
        }

        _holder.Dispose();
    }
}

using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Options;
using Mirc.Grains.Indexing;
using Mirc.Grains.Storage.Backup;

namespace Mirc.Silo.Hosting;

/// <summary>
/// Turns a start-up failure caused by configuration (an invalid setting, a port already taken) into one message that
/// names the setting and how to change it — instead of a stack trace an operator has to decode. Anything else is
/// left to surface as it is.
/// </summary>
public static class StartupFailure
{
    private const string HowToSet =
        "Settings come from Silo/appsettings.json, environment variables (Mirc__Dicom__Port=11113) or the command line (--Mirc:Dicom:Port=11113).";

    /// <summary>
    /// Checks before start-up what would otherwise fail half-way with a stack trace in the logs: the validated options,
    /// a data folder another silo runs on, and the ports. Returns the explanation, or null when the silo can start.
    /// </summary>
    public static string? Check(IServiceProvider services, IConfiguration configuration)
    {
        try
        {
            services.GetService<IStartupValidator>()?.Validate();
        }
        catch (OptionsValidationException ex)
        {
            return Describe(ex, configuration);
        }

        if (DataFolderLayout.IsEmbedded(configuration) && DataFolderLayout.From(configuration) is var layout && SqliteQueryIndex.IsHeldByAnotherProcess(layout.IndexPath))
        {
            // Checked before the silo starts: nothing of it (the start-up reconciliation first) runs on another silo's data.
            return $"The data folder {layout.DataPath} is in use by another process: its query index ({layout.IndexPath}) is locked. "
                + "A silo is already running on it: stop that silo, or give this one another Mirc:DataPath. " + HowToSet;
        }

        var busy = Listeners(configuration).Where(l => !CanBind(l.EndPoint)).ToList();
        return busy.Count == 0 ? null : PortsInUse(string.Join(", ", busy.Select(l => $"{l.EndPoint} ({l.Setting})")));
    }

    /// <summary>
    /// For <see cref="AppDomain.UnhandledException"/>: a configuration error is explained and the process exits with
    /// code 2 before the runtime prints the stack trace; anything else continues as an ordinary crash.
    /// </summary>
    public static void ExitIfConfigurationError(object exception, IConfiguration configuration)
    {
        if (exception is Exception ex && IsConfigurationError(ex))
        {
            Console.Error.WriteLine(Describe(ex, configuration));
            Environment.Exit(2);
        }
    }

    /// <summary>True when <paramref name="exception"/> is a configuration error this class can explain.</summary>
    public static bool IsConfigurationError(Exception exception) =>
        Chain(exception).Any(e => e is OptionsValidationException || IsAddressInUse(e) || IsInsecureHttp(e));

    /// <summary>
    /// The operator-facing explanation. For a port conflict it probes every port the silo listens on, so call it after
    /// the failed host released its own sockets.
    /// </summary>
    public static string Describe(Exception exception, IConfiguration configuration)
    {
        var chain = Chain(exception).ToList();
        if (chain.OfType<OptionsValidationException>().FirstOrDefault() is { } invalid)
        {
            return $"Invalid configuration: {string.Join("; ", invalid.Failures.Distinct())}\n{HowToSet}";
        }

        if (chain.FirstOrDefault(IsInsecureHttp) is { } insecure)
        {
            return $"{insecure.Message}\nUse a loopback Mirc:HttpUrl (http://127.0.0.1:8080) or configure a certificate (Kestrel:Certificates:Default). {HowToSet}";
        }

        var busy = Listeners(configuration).Where(l => !CanBind(l.EndPoint)).ToList();
        var named = busy.Count > 0
            ? string.Join(", ", busy.Select(l => $"{l.EndPoint} ({l.Setting})"))
            : string.Join(" ", chain.Where(IsAddressInUse).Select(e => e.Message).Distinct());
        return PortsInUse(named);
    }

    private static string PortsInUse(string ports) =>
        $"A port this silo listens on is already in use: {ports}.\n"
        + "Another silo (or another program) holds it: stop it, or give this one other ports. " + HowToSet;

    /// <summary>Every socket the silo binds, with the setting that chooses it.</summary>
    internal static IEnumerable<(string Setting, IPEndPoint EndPoint)> Listeners(IConfiguration configuration)
    {
        var http = configuration["Mirc:HttpUrl"] ?? new MircHostOptions().HttpUrl;
        if (Uri.TryCreate(http, UriKind.Absolute, out var url) && IPAddress.TryParse(url.Host.Trim('[', ']'), out var httpAddress))
        {
            yield return ("Mirc:HttpUrl", new IPEndPoint(httpAddress, url.Port));
        }

        var dicomAddress = IPAddress.TryParse(configuration["Mirc:Dicom:BindAddress"], out var bind) ? bind : IPAddress.Loopback;
        if (int.TryParse(configuration["Mirc:Dicom:Port"] ?? "11112", out var dicomPort))
        {
            yield return ("Mirc:Dicom:Port", new IPEndPoint(dicomAddress, dicomPort));
        }

        if (int.TryParse(configuration["Mirc:Dicom:Tls:Port"], out var tlsPort))
        {
            yield return ("Mirc:Dicom:Tls:Port", new IPEndPoint(dicomAddress, tlsPort));
        }

        if (int.TryParse(configuration["Mirc:SiloPort"] ?? "11111", out var siloPort))
        {
            yield return ("Mirc:SiloPort", new IPEndPoint(IPAddress.Any, siloPort));
        }

        if (int.TryParse(configuration["Mirc:GatewayPort"] ?? "30000", out var gatewayPort))
        {
            yield return ("Mirc:GatewayPort", new IPEndPoint(IPAddress.Any, gatewayPort));
        }
    }

    private static bool CanBind(IPEndPoint endPoint)
    {
        try
        {
            using var socket = new Socket(endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
            socket.Bind(endPoint);
            return true;
        }
        catch (SocketException ex) when (ex.SocketErrorCode == SocketError.AddressAlreadyInUse)
        {
            return false;
        }
        catch (SocketException)
        {
            // Not ours to judge (address not available here, permissions): not the conflict we are looking for.
            return true;
        }
    }

    private static bool IsAddressInUse(Exception e) =>
        e is SocketException { SocketErrorCode: SocketError.AddressAlreadyInUse }
        || e.GetType().Name == "AddressInUseException";

    private static bool IsInsecureHttp(Exception e) =>
        e is InvalidOperationException && e.Message.StartsWith("Insecure HTTP configuration", StringComparison.Ordinal);

    private static IEnumerable<Exception> Chain(Exception exception)
    {
        var pending = new Stack<Exception>([exception]);
        while (pending.TryPop(out var current))
        {
            yield return current;
            if (current is AggregateException aggregate)
            {
                foreach (var inner in aggregate.InnerExceptions)
                {
                    pending.Push(inner);
                }
            }
            else if (current.InnerException is { } inner)
            {
                pending.Push(inner);
            }
        }
    }
}

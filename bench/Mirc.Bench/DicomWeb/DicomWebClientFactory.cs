using System.Net.Http.Headers;
using System.Net.Sockets;

namespace Mirc.Bench.DicomWeb;

/// <summary>Creates the one <see cref="HttpClient"/> of a run: Nagle off, enough pooled connections, optional bearer token.</summary>
public static class DicomWebClientFactory
{
    /// <summary>A client whose base address is <paramref name="root"/> with a trailing slash.</summary>
    public static HttpClient Create(Uri root, string? bearer, int maxConnections, TimeSpan timeout)
    {
        var handler = new SocketsHttpHandler
        {
            MaxConnectionsPerServer = maxConnections,
            AutomaticDecompression = System.Net.DecompressionMethods.None,
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5),
            UseCookies = false,
            ConnectCallback = async (context, ct) =>
            {
                var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                try
                {
                    await socket.ConnectAsync(context.DnsEndPoint, ct).ConfigureAwait(false);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
        };
        var client = new HttpClient(handler)
        {
            BaseAddress = new Uri(root.AbsoluteUri.TrimEnd('/') + "/"),
            Timeout = timeout,
        };
        if (bearer is not null) client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        return client;
    }
}

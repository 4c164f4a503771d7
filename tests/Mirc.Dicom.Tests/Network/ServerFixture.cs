using System.Net;
using Mirc.Dicom.Network;

namespace Mirc.Dicom.Tests.Network;

/// <summary>Our server on 127.0.0.1:0 with an <see cref="InMemoryArchive"/>; disposed at the end of a test.</summary>
internal sealed class TestServer : IAsyncDisposable
{
    public TestServer(DicomServerOptions? options = null, InMemoryArchive? archive = null)
    {
        Archive = archive ?? new InMemoryArchive();
        Server = new DicomServer(Archive, options ?? new DicomServerOptions { ArtimTimeout = TimeSpan.FromSeconds(5), DimseTimeout = TimeSpan.FromSeconds(10) });
        Server.Start(new IPEndPoint(IPAddress.Loopback, 0));
    }

    public InMemoryArchive Archive { get; }
    public DicomServer Server { get; }
    public int Port => Server.LocalEndPoint.Port;

    public ValueTask DisposeAsync() => Server.DisposeAsync();
}

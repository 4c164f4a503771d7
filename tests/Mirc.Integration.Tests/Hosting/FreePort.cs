namespace Mirc.Integration.Tests.Hosting;

/// <summary>A loopback TCP port for a server the test starts.</summary>
public static class FreePort
{
    public static int Next() => Mirc.Testing.LoopbackPorts.Next();
}

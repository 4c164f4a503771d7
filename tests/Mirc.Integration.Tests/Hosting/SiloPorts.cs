namespace Mirc.Integration.Tests.Hosting;

/// <summary>The loopback ports of a silo started by a test.</summary>
internal sealed record SiloPorts(int Http, int Silo, int Gateway, int Dicom)
{
    /// <summary>Four ports free now.</summary>
    public static SiloPorts Free() => new(FreePort.Next(), FreePort.Next(), FreePort.Next(), FreePort.Next());
}

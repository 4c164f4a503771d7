using Mirc.Integration.Tests.Hosting;
using Xunit;

namespace Mirc.Integration.Tests.Dimse;

/// <summary>
/// A running archive with two establishments: the demo one from appsettings.json (STORESCU, FINDSCU, GETSCU, MOVESCU)
/// and "EST_B" (B_FIND, B_GET) whose devices must not see the demo establishment's studies; IT_DEST (of EST_B) and
/// OWN_DEST (of the demo establishment) are C-MOVE destinations; "EST_BIND" has devices bound to 127.0.0.2 (AT_HOST)
/// and to 127.0.0.2/31 (IN_NETWORK).
/// </summary>
public sealed class DimseHostFixture : IAsyncLifetime
{
    private readonly TempDataFolder _data = new();

    public MircHostFactory Host { get; private set; } = null!;

    public int MoveDestinationPort { get; } = FreePort.Next();

    public int OwnDestinationPort { get; } = FreePort.Next();

    public string Port => Host.DicomPort.ToString();

    public ValueTask InitializeAsync()
    {
        Host = new MircHostFactory(_data.Path, Settings(MoveDestinationPort, OwnDestinationPort));
        _ = Host.Server; // starts the silo, the seeder and the DICOM listener
        return ValueTask.CompletedTask;
    }

    public async ValueTask DisposeAsync()
    {
        await Host.DisposeAsync();
        _data.Dispose();
    }

    public static Dictionary<string, string?> Settings(int moveDestinationPort, int ownDestinationPort) => new()
    {
        // appsettings.json seeds six AE titles (0-5) for the demo establishment: this one is appended.
        ["Mirc:Seed:Establishments:0:AeTitles:7:AeTitle"] = "OWN_DEST",
        ["Mirc:Seed:Establishments:0:AeTitles:7:Host"] = "127.0.0.1",
        ["Mirc:Seed:Establishments:0:AeTitles:7:Port"] = ownDestinationPort.ToString(),
        ["Mirc:Seed:Establishments:0:AeTitles:7:Permissions"] = "MoveDestination",
        ["Mirc:Seed:Establishments:1:Id"] = "EST_B",
        ["Mirc:Seed:Establishments:1:Name"] = "Clinique B",
        ["Mirc:Seed:Establishments:1:AeTitles:0:AeTitle"] = "B_FIND",
        ["Mirc:Seed:Establishments:1:AeTitles:0:Permissions"] = "Query",
        ["Mirc:Seed:Establishments:1:AeTitles:1:AeTitle"] = "B_GET",
        ["Mirc:Seed:Establishments:1:AeTitles:1:Permissions"] = "Query, Retrieve",
        ["Mirc:Seed:Establishments:1:AeTitles:2:AeTitle"] = "IT_DEST",
        ["Mirc:Seed:Establishments:1:AeTitles:2:Host"] = "127.0.0.1",
        ["Mirc:Seed:Establishments:1:AeTitles:2:Port"] = moveDestinationPort.ToString(),
        ["Mirc:Seed:Establishments:1:AeTitles:2:Permissions"] = "MoveDestination",
        // Devices bound to their address (127.0.0.2, 127.0.0.3: loopback aliases), see DeviceBindingTests.
        ["Mirc:Seed:Establishments:2:Id"] = "EST_BIND",
        ["Mirc:Seed:Establishments:2:Name"] = "Clinique liée",
        ["Mirc:Seed:Establishments:2:AeTitles:0:AeTitle"] = "AT_HOST",
        ["Mirc:Seed:Establishments:2:AeTitles:0:Host"] = "127.0.0.2",
        ["Mirc:Seed:Establishments:2:AeTitles:0:Permissions"] = "Query",
        ["Mirc:Seed:Establishments:2:AeTitles:1:AeTitle"] = "IN_NETWORK",
        ["Mirc:Seed:Establishments:2:AeTitles:1:Host"] = "192.0.2.10",
        ["Mirc:Seed:Establishments:2:AeTitles:1:Networks:0"] = "127.0.0.2/31",
        ["Mirc:Seed:Establishments:2:AeTitles:1:Permissions"] = "Query",
    };
}

using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Mirc.Dicom;
using Mirc.Dicom.Network;
using Mirc.Grains.Interfaces.Audit;
using Xunit;

namespace Mirc.Integration.Tests.Dimse;

/// <summary>
/// A device is an AE title at an address: the registered host (or network) is checked before anything else, a mismatch is
/// rejected "calling AE title not recognized" (permanent, service user, reason 3) and audited. 127.0.0.x are loopback aliases.
/// </summary>
public sealed class DeviceBindingTests(DimseHostFixture archive) : IClassFixture<DimseHostFixture>
{
    private static readonly string[] Uncompressed = [DicomUids.ExplicitVRLittleEndian, DicomUids.ImplicitVRLittleEndian];

    [Fact]
    public async Task A_device_registered_at_one_address_is_accepted_there_only_and_the_refusal_is_audited()
    {
        var ct = TestContext.Current.CancellationToken;
        await EchoFromAsync("AT_HOST", "127.0.0.2", ct);

        var ex = await Assert.ThrowsAsync<DicomAssociationException>(() => EchoFromAsync("AT_HOST", "127.0.0.1", ct));
        Assert.Equal(AssociationRejection.CallingAeNotRecognized, ex.Rejection);
        Assert.Equal(AssociationRejectResult.Permanent, ex.Rejection!.Result);
        Assert.Equal(AssociationRejectSource.ServiceUser, ex.Rejection.Source);

        var audit = archive.Host.Services.GetRequiredService<IAuditTrail>();
        await audit.FlushAsync(ct);
        var denied = await audit.QueryAsync(new AuditFilter { Actions = [AuditAction.Login] }, ct);
        Assert.Contains(denied, r => r.Event.Outcome == AuditOutcome.Denied && r.Event.Source == "dicom:AT_HOST@127.0.0.1"
            && r.Event.Detail!.Contains("127.0.0.1 is not the registered host 127.0.0.2", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_device_registered_with_a_network_is_accepted_from_inside_it_only()
    {
        var ct = TestContext.Current.CancellationToken;
        await EchoFromAsync("IN_NETWORK", "127.0.0.2", ct);
        await EchoFromAsync("IN_NETWORK", "127.0.0.3", ct);
        var ex = await Assert.ThrowsAsync<DicomAssociationException>(() => EchoFromAsync("IN_NETWORK", "127.0.0.1", ct));
        Assert.Equal(AssociationRejection.CallingAeNotRecognized, ex.Rejection);
        // Its host (192.0.2.10) is where the archive would connect to it, not a place it may come from.
        await Assert.ThrowsAsync<DicomAssociationException>(() => EchoFromAsync("IN_NETWORK", "127.0.0.4", ct));
    }

    private async Task EchoFromAsync(string callingAe, string source, CancellationToken ct)
    {
        await using var client = await DicomClient.ConnectAsync("127.0.0.1", archive.Host.DicomPort, callingAe, "MIRC",
            [new(0, DicomUids.Verification, Uncompressed)], new DicomClientOptions { LocalAddress = IPAddress.Parse(source) }, ct: ct);
        Assert.Equal(DimseStatus.Success, (await client.EchoAsync(ct)).Status);
        await client.ReleaseAsync(ct);
    }
}

using Mirc.Api.Tests.DicomWeb.EndToEnd;
using Mirc.Grains.Interfaces.Establishments;
using Xunit;

namespace Mirc.Api.Tests.Shares;

/// <summary>One share host with a stored three-instance study and a registered dcmtk storescp recipient.</summary>
public sealed class ShareFixture : IAsyncLifetime
{
    public const string RecipientAe = "SHARE_SCP";
    public const string UnreachableAe = "SHARE_GONE";
    public const string NotARecipientAe = "SHARE_MODALITY";
    public const string RecipientEstablishment = "recipient-est";
    public const string TlsRecipientAe = "SHARE_TLS";

    /// <summary>The PKI of the TLS recipient: its storescp shows the CA's server certificate and requires ours (the CA's client).</summary>
    public Mirc.Testing.TestCertificates Pki { get; } = Mirc.Testing.TestCertificates.Create();

    internal StoreScpProcess TlsRecipient { get; private set; } = null!;

    internal ShareTestHost Host { get; private set; } = null!;

    internal StoreScpProcess Recipient { get; private set; } = null!;

    public StudyDescription Study { get; } = StudyDescription.Create();

    public IReadOnlyList<SyntheticInstance> Instances { get; private set; } = [];

    public async ValueTask InitializeAsync()
    {
        var ct = TestContext.Current.CancellationToken;
        Host = await ShareTestHost.StartAsync(settings: new Dictionary<string, string?>
        {
            ["Mirc:Dicom:PeerTls:TrustedCaPath"] = Pki.CaPath,
            ["Mirc:Dicom:PeerTls:CertificatePath"] = Pki.Client.CertificatePath,
            ["Mirc:Dicom:PeerTls:KeyPath"] = Pki.Client.KeyPath,
            // A short horizon: the unreachable recipient is retried a few times by the share's reminder, then given up.
            ["Mirc:Sharing:RetryInitialDelay"] = "00:00:01",
            ["Mirc:Sharing:RetryMaxDelay"] = "00:01:00",
            ["Mirc:Sharing:RetryHorizon"] = "00:00:04",
        });
        Recipient = await StoreScpProcess.StartAsync(RecipientAe, ct);
        TlsRecipient = await StoreScpProcess.StartAsync(TlsRecipientAe, ct, "+tls", Pki.Server.KeyPath, Pki.Server.CertificatePath, "+cf", Pki.CaPath);
        var series = SyntheticInstance.NewUid();
        Instances =
        [
            SyntheticInstance.Native(Study, series, 1, 1),
            SyntheticInstance.Native(Study, series, 1, 2, frames: 3),
            SyntheticInstance.Jpeg(Study, series, 1, 3),
        ];
        using var stored = await Host.Http.StowAsync(Instances.Select(i => i.Bytes));
        if (!stored.IsSuccessStatusCode) throw new InvalidOperationException($"STOW answered {(int)stored.StatusCode}");

        var registry = Host.Grains.GetGrain<IAeTitleRegistryGrain>(IAeTitleRegistryGrain.SingletonKey);
        await registry.RegisterAsync(RecipientEstablishment, new AeTitleEntry(RecipientAe, "127.0.0.1", Recipient.Port, AePermissions.MoveDestination));
        await registry.RegisterAsync(RecipientEstablishment, new AeTitleEntry(TlsRecipientAe, "127.0.0.1", TlsRecipient.Port, AePermissions.MoveDestination, Tls: true));
        // A port where nothing listens: the push must fail, not hang.
        await registry.RegisterAsync(RecipientEstablishment, new AeTitleEntry(UnreachableAe, "127.0.0.1", ShareTestHost.FreePort(), AePermissions.MoveDestination));
        await registry.RegisterAsync(RecipientEstablishment, new AeTitleEntry(NotARecipientAe, "127.0.0.1", 104, AePermissions.Store | AePermissions.Query));
    }

    public async ValueTask DisposeAsync()
    {
        if (Recipient is not null) await Recipient.DisposeAsync();
        if (TlsRecipient is not null) await TlsRecipient.DisposeAsync();
        Pki.Dispose();
        if (Host is not null) await Host.DisposeAsync();
    }
}

using Microsoft.Extensions.Logging;
using Mirc.Grains.Interfaces;
using Mirc.Grains.Interfaces.Establishments;
using Mirc.Grains.Storage;
using Mirc.Grains.Storage.GrainState;

namespace Mirc.Grains.Establishments;

/// <summary>
/// An establishment: profile, AE titles (mirrored in the <see cref="IAeTitleRegistryGrain"/>), members, policies; its
/// name and sharing policy are projected into the <see cref="IEstablishmentDirectoryGrain"/>.
/// </summary>
public sealed partial class EstablishmentGrain : Grain, IEstablishmentGrain
{
    private readonly IPersistentState<EstablishmentState> _state;
    private readonly ILogger<EstablishmentGrain> _logger;

    /// <summary>Creates the grain.</summary>
    public EstablishmentGrain(
        [PersistentState("establishment", StorageProviders.Archive)] IPersistentState<EstablishmentState> state,
        ILogger<EstablishmentGrain> logger)
    {
        _state = state;
        _logger = logger;
    }

    private string EstablishmentId => this.GetPrimaryKeyString();

    private IAeTitleRegistryGrain Registry => GrainFactory.Reference<IAeTitleRegistryGrain>(IAeTitleRegistryGrain.SingletonKey);

    private IEstablishmentDirectoryGrain EstablishmentDirectory => GrainFactory.Reference<IEstablishmentDirectoryGrain>(IEstablishmentDirectoryGrain.SingletonKey);

    /// <inheritdoc />
    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        // Establishments registered before the directory existed (or whose last projection failed) appear once touched.
        if (_state.State.Profile is { } profile)
        {
            await RecordInDirectoryAsync(profile);
        }

        await base.OnActivateAsync(cancellationToken);
    }

    /// <inheritdoc />
    public Task<EstablishmentProfile?> GetAsync() => Task.FromResult(_state.State.Profile);

    /// <inheritdoc />
    public async Task SaveAsync(EstablishmentProfile profile)
    {
        ArgumentNullException.ThrowIfNull(profile);
        if (profile.EstablishmentId != EstablishmentId)
        {
            throw new ArgumentException($"Profile of {profile.EstablishmentId} saved into establishment {EstablishmentId}.", nameof(profile));
        }

        ArgumentException.ThrowIfNullOrWhiteSpace(profile.Name);
        ArgumentOutOfRangeException.ThrowIfNegative(profile.RetentionYears);
        var titles = profile.AeTitles.Select(a => a with { AeTitle = AeTitles.Normalize(a.AeTitle) }).ToArray();
        if (titles.Any(a => !AeTitles.IsValid(a.AeTitle)))
        {
            throw new ArgumentException("Invalid AE title in profile.", nameof(profile));
        }

        if (titles.FirstOrDefault(a => a.Networks?.Any(n => !Dimse.DeviceAddress.TryParseNetwork(n, out _)) == true) is { } badNetworks)
        {
            throw new ArgumentException($"AE title '{badNetworks.AeTitle}': networks must be CIDR (10.1.2.0/24) or single addresses.", nameof(profile));
        }

        if (titles.FirstOrDefault(a => a.ClientCertificate is not null && !Dimse.DeviceCertificate.IsValid(a.ClientCertificate)) is { } badCertificate)
        {
            throw new ArgumentException($"AE title '{badCertificate.AeTitle}': the client certificate must be a SHA-256 or SHA-1 thumbprint (hex) or a subject such as CN=CT-1, O=Hospital.", nameof(profile));
        }

        if (titles.Select(a => a.AeTitle).Distinct(StringComparer.Ordinal).Count() != titles.Length)
        {
            throw new ArgumentException("Duplicate AE title in profile.", nameof(profile));
        }

        // Check ownership before changing anything, so a taken title leaves both sides untouched.
        foreach (var title in titles)
        {
            var owner = await Registry.ResolveAsync(title.AeTitle);
            if (owner is not null && owner.EstablishmentId != EstablishmentId)
            {
                throw new InvalidOperationException($"AE title '{title.AeTitle}' already belongs to establishment {owner.EstablishmentId}.");
            }
        }

        var removed = (_state.State.Profile?.AeTitles ?? []).Where(old => !titles.Any(t => t.AeTitle == old.AeTitle)).ToArray();
        foreach (var title in titles)
        {
            await Registry.RegisterAsync(EstablishmentId, title);
        }

        foreach (var old in removed)
        {
            await Registry.UnregisterAsync(EstablishmentId, old.AeTitle);
        }

        _state.State.Profile = profile with { AeTitles = titles };
        await _state.WriteOrResetAsync(DeactivateOnIdle);
        LogSaved(_logger, EstablishmentId, titles.Length, profile.Members.Count);
        await RecordInDirectoryAsync(_state.State.Profile);
    }

    /// <inheritdoc />
    public Task SetAeTitleAsync(AeTitleEntry entry)
    {
        var profile = RequireProfile();
        var title = AeTitles.Normalize(entry.AeTitle);
        return SaveAsync(profile with { AeTitles = [.. profile.AeTitles.Where(a => a.AeTitle != title), entry with { AeTitle = title }] });
    }

    /// <inheritdoc />
    public Task RemoveAeTitleAsync(string aeTitle)
    {
        var profile = RequireProfile();
        var title = AeTitles.Normalize(aeTitle);
        return SaveAsync(profile with { AeTitles = [.. profile.AeTitles.Where(a => a.AeTitle != title)] });
    }

    /// <inheritdoc />
    public Task SetMemberAsync(EstablishmentMember member)
    {
        var profile = RequireProfile();
        return SaveAsync(profile with { Members = [.. profile.Members.Where(m => m.ProfessionalId != member.ProfessionalId), member] });
    }

    /// <inheritdoc />
    public Task RemoveMemberAsync(string professionalId)
    {
        var profile = RequireProfile();
        return SaveAsync(profile with { Members = [.. profile.Members.Where(m => m.ProfessionalId != professionalId)] });
    }

    /// <summary>
    /// Projects the profile into the directory. The profile here is the record: a failed projection does not undo or
    /// fail the save, it is logged and repaired by the next save or activation.
    /// </summary>
    private async Task RecordInDirectoryAsync(EstablishmentProfile profile)
    {
        try
        {
            await EstablishmentDirectory.RecordAsync(EstablishmentListing.Of(profile));
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogDirectoryNotUpdated(_logger, EstablishmentId, ex);
        }
    }

    private EstablishmentProfile RequireProfile() =>
        _state.State.Profile ?? throw new InvalidOperationException($"Establishment {EstablishmentId} is not registered.");

    [LoggerMessage(Level = LogLevel.Information, Message = "Establishment {EstablishmentId} saved: {AeCount} AE title(s), {MemberCount} member(s)")]
    private static partial void LogSaved(ILogger logger, string establishmentId, int aeCount, int memberCount);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Establishment {EstablishmentId}: the directory was not updated (repaired on its next save or activation)")]
    private static partial void LogDirectoryNotUpdated(ILogger logger, string establishmentId, Exception exception);
}

namespace Mirc.Grains.Interfaces.Sharing;

/// <summary>What was asked, by whom: the decision a share grain records when it is created.</summary>
[GenerateSerializer, Immutable, Alias("mirc.ShareRequest")]
public sealed record ShareRequest
{
    /// <summary>Study Instance UID to push.</summary>
    [Id(0)] public required string StudyInstanceUid { get; init; }

    /// <summary>Recipient AE title (registered with <c>AePermissions.MoveDestination</c>).</summary>
    [Id(1)] public required string RecipientAeTitle { get; init; }

    /// <summary>Establishment owning the recipient AE.</summary>
    [Id(2)] public required string RecipientEstablishmentId { get; init; }

    /// <summary>Why the study is pushed (audited).</summary>
    [Id(3)] public required string Reason { get; init; }

    /// <summary>Requesting subject (professional id or token subject).</summary>
    [Id(4)] public string? RequestedBy { get; init; }

    /// <summary>Requesting establishment.</summary>
    [Id(5)] public string? RequesterEstablishmentId { get; init; }

    /// <summary>Where the request came from (client address), for the audit trail.</summary>
    [Id(6)] public string? Source { get; init; }

    /// <summary>When the request was accepted (UTC).</summary>
    [Id(7)] public DateTimeOffset RequestedAt { get; init; }
}

using System.Globalization;
using Mirc.Api.Management;
using Mirc.Grains.Interfaces.Research;

namespace Mirc.Api.Research;

/// <summary>Body of <c>POST /api/research/projects</c>.</summary>
/// <param name="Name">Project name.</param>
/// <param name="Purpose">Purpose and legal basis (kept and audited).</param>
/// <param name="Cohort">Criteria over the index.</param>
/// <param name="FlagBurnedInAnnotation">Export instances with burned-in annotation, flagged, instead of leaving them out.</param>
/// <param name="StowDestination">Research PACS to push exports to by STOW-RS (a name of <c>Mirc:Research:StowDestinations</c>), or null for the output store.</param>
public sealed record CreateResearchProjectRequest(string? Name, string? Purpose, CohortRequest? Cohort, bool FlagBurnedInAnnotation = false, string? StowDestination = null)
{
    /// <summary>Field problems, none when valid; <paramref name="stowDestinations"/> are the configured destination names.</summary>
    public FieldErrors Validate(IReadOnlyCollection<string> stowDestinations)
    {
        ArgumentNullException.ThrowIfNull(stowDestinations);
        var errors = new FieldErrors()
            .Check(!string.IsNullOrWhiteSpace(Name) && Name.Length <= 200, nameof(Name), "Required, at most 200 characters.")
            .Check(!string.IsNullOrWhiteSpace(Purpose) && Purpose.Length <= 2000, nameof(Purpose), "Required (purpose and legal basis), at most 2000 characters.")
            .Check(Cohort is not null, nameof(Cohort), "Required: modalities, studyDateFrom, studyDateTo, bodyParts, establishmentIds (any may be empty).")
            .Check(StowDestination is null || stowDestinations.Contains(StowDestination), nameof(StowDestination),
                stowDestinations.Count == 0
                    ? "No STOW-RS destination is configured (Mirc:Research:StowDestinations): leave it out to write to the output store."
                    : $"One of the configured STOW-RS destinations: {string.Join(", ", stowDestinations.Order(StringComparer.Ordinal))}.");
        if (Cohort is null) return errors;
        errors.Check(IsDate(Cohort.StudyDateFrom), "Cohort.StudyDateFrom", "A date YYYYMMDD, or absent.")
            .Check(IsDate(Cohort.StudyDateTo), "Cohort.StudyDateTo", "A date YYYYMMDD, or absent.")
            .Check((Cohort.Modalities ?? []).All(m => m is { Length: > 0 and <= 16 } && m.All(c => char.IsAsciiLetterUpper(c) || char.IsAsciiDigit(c) || c == '_')), "Cohort.Modalities", "Modality codes such as CT, MR.")
            .Check((Cohort.BodyParts ?? []).All(b => b is { Length: > 0 and <= 16 } && !b.Contains('\\', StringComparison.Ordinal)), "Cohort.BodyParts", "Body Part Examined values such as CHEST.")
            .Check((Cohort.EstablishmentIds ?? []).All(Identifiers.IsValidKey), "Cohort.EstablishmentIds", "Establishment ids.");
        return errors;
    }

    /// <summary>The definition the grain keeps.</summary>
    public ResearchProjectDefinition ToDefinition() => new()
    {
        Name = Name!.Trim(),
        Purpose = Purpose!.Trim(),
        FlagBurnedInAnnotation = FlagBurnedInAnnotation,
        StowDestination = StowDestination,
        Cohort = new CohortCriteria
        {
            Modalities = Cohort!.Modalities ?? [],
            StudyDateFrom = NullIfEmpty(Cohort.StudyDateFrom),
            StudyDateTo = NullIfEmpty(Cohort.StudyDateTo),
            BodyParts = Cohort.BodyParts ?? [],
            EstablishmentIds = Cohort.EstablishmentIds ?? [],
        },
    };

    private static bool IsDate(string? value) =>
        string.IsNullOrEmpty(value) || DateOnly.TryParseExact(value, "yyyyMMdd", CultureInfo.InvariantCulture, DateTimeStyles.None, out _);

    private static string? NullIfEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}

/// <summary>Cohort criteria of a project request (each list is "any of"; empty = no restriction).</summary>
/// <param name="Modalities">Series modalities.</param>
/// <param name="StudyDateFrom">First study date YYYYMMDD.</param>
/// <param name="StudyDateTo">Last study date YYYYMMDD.</param>
/// <param name="BodyParts">Body Part Examined values.</param>
/// <param name="EstablishmentIds">Producing establishments.</param>
public sealed record CohortRequest(IReadOnlyList<string>? Modalities, string? StudyDateFrom, string? StudyDateTo, IReadOnlyList<string>? BodyParts, IReadOnlyList<string>? EstablishmentIds);

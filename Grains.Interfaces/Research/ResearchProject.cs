using Mirc.Grains.Interfaces.Security;

namespace Mirc.Grains.Interfaces.Research;

/// <summary>A research project as callers see it (its key never leaves the vault).</summary>
[GenerateSerializer, Immutable, Alias("mirc.ResearchProject")]
public sealed record ResearchProject
{
    /// <summary>Project id (grain key).</summary>
    [Id(0)] public required string ProjectId { get; init; }

    /// <summary>The definition.</summary>
    [Id(1)] public required ResearchProjectDefinition Definition { get; init; }

    /// <summary>Who defined it (subject).</summary>
    [Id(2)] public required string CreatedBy { get; init; }

    /// <summary>Their roles.</summary>
    [Id(3)] public MircRoles CreatedByRoles { get; init; }

    /// <summary>When (UTC).</summary>
    [Id(4)] public DateTimeOffset CreatedAt { get; init; }

    /// <summary>Exports started, oldest first.</summary>
    [Id(5)] public IReadOnlyList<string> ExportIds { get; init; } = [];
}

namespace Mirc.Grains.Interfaces.Establishments;

/// <summary>An application entity of an establishment.</summary>
/// <param name="AeTitle">AE title (1–16 characters, no backslash, trimmed).</param>
/// <param name="Host">Host name or IP (for C-MOVE destinations).</param>
/// <param name="Port">TCP port (for C-MOVE destinations; 0 when unused).</param>
/// <param name="Permissions">Allowed operations.</param>
[GenerateSerializer, Immutable, Alias("mirc.AeTitleEntry")]
public sealed record AeTitleEntry(
    [property: Id(0)] string AeTitle,
    [property: Id(1)] string Host,
    [property: Id(2)] int Port,
    [property: Id(3)] AePermissions Permissions);

using Mirc.Grains.Interfaces.Consent;

namespace Mirc.Grains.Consent;

/// <summary>Consent model of the deployment (section <c>Mirc:Consent</c>).</summary>
public sealed class ConsentOptions
{
    /// <summary>Configuration section.</summary>
    public const string Section = "Mirc:Consent";

    /// <summary><c>OptOut</c> (default, French regional model) or <c>OptIn</c>.</summary>
    public ConsentPolicy Policy { get; set; } = ConsentPolicy.OptOut;
}

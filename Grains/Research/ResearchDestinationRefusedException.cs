namespace Mirc.Grains.Research;

/// <summary>The destination refuses the export (credentials rejected, endpoint not found): waiting would not help, the export fails.</summary>
[GenerateSerializer, Alias("mirc.ResearchDestinationRefusedException")]
public sealed class ResearchDestinationRefusedException : Exception
{
    /// <summary>Creates the exception.</summary>
    public ResearchDestinationRefusedException(string message) : base(message) { }

    /// <summary>Creates the exception.</summary>
    public ResearchDestinationRefusedException() { }

    /// <summary>Creates the exception.</summary>
    public ResearchDestinationRefusedException(string message, Exception innerException) : base(message, innerException) { }
}

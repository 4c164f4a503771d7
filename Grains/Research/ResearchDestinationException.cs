namespace Mirc.Grains.Research;

/// <summary>
/// The export's destination cannot take files now (PACS down or answering 5xx after every try, output store failing):
/// the batch is not counted and is retried later, so an export outlives an outage.
/// </summary>
public sealed class ResearchDestinationUnavailableException : Exception
{
    /// <summary>Creates the exception.</summary>
    public ResearchDestinationUnavailableException(string message, Exception? innerException = null) : base(message, innerException) { }

    /// <summary>Creates the exception.</summary>
    public ResearchDestinationUnavailableException() { }

    /// <summary>Creates the exception.</summary>
    public ResearchDestinationUnavailableException(string message) : base(message) { }
}

/// <summary>The destination refuses the export (credentials rejected, endpoint not found): waiting would not help, the export fails.</summary>
public sealed class ResearchDestinationRefusedException : Exception
{
    /// <summary>Creates the exception.</summary>
    public ResearchDestinationRefusedException(string message) : base(message) { }

    /// <summary>Creates the exception.</summary>
    public ResearchDestinationRefusedException() { }

    /// <summary>Creates the exception.</summary>
    public ResearchDestinationRefusedException(string message, Exception innerException) : base(message, innerException) { }
}

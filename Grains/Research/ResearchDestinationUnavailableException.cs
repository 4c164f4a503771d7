namespace Mirc.Grains.Research;

/// <summary>
/// The export's destination cannot take files now (PACS down or answering 5xx after every try, output store failing):
/// the batch is not counted and is retried later, so an export outlives an outage.
/// </summary>
[GenerateSerializer, Alias("mirc.ResearchDestinationUnavailableException")]
public sealed class ResearchDestinationUnavailableException : Exception
{
    /// <summary>Creates the exception.</summary>
    public ResearchDestinationUnavailableException(string message, Exception? innerException = null) : base(message, innerException) { }

    /// <summary>Creates the exception.</summary>
    public ResearchDestinationUnavailableException() { }

    /// <summary>Creates the exception.</summary>
    public ResearchDestinationUnavailableException(string message) : base(message) { }
}

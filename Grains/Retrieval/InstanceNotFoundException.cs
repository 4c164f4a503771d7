namespace Mirc.Grains.Retrieval;

/// <summary>The requested study, series, instance or frame is not in the archive.</summary>
[GenerateSerializer, Alias("mirc.InstanceNotFoundException")]
public sealed class InstanceNotFoundException : Exception
{
    /// <summary>Creates the exception.</summary>
    public InstanceNotFoundException(string message) : base(message)
    {
    }
}

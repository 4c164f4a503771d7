namespace Mirc.Grains.Audit;

/// <summary>
/// The audit record of an operation could not be committed: the operation must not serve its data (the DICOM and
/// HTTP paths record before they respond, so this surfaces as a failed request).
/// </summary>
[GenerateSerializer, Alias("mirc.AuditNotDurableException")]
public sealed class AuditNotDurableException : Exception
{
    /// <summary>Creates the exception.</summary>
    public AuditNotDurableException()
        : base("the audit record could not be committed")
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public AuditNotDurableException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with its cause.</summary>
    public AuditNotDurableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

namespace Mirc.Dicom;

/// <summary>Internal signal: the buffer ends before the element being parsed; <see cref="Required"/> bytes (from the buffer start) are needed.</summary>
internal sealed class NeedMoreDataException(long required) : Exception("more input needed")
{
    public long Required { get; } = required;
}

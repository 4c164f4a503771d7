namespace Mirc.Dicom;

/// <summary>The input is not valid DICOM; the message says what failed, at which tag and byte offset.</summary>
public sealed class DicomFormatException : Exception
{
    /// <summary>Creates the exception.</summary>
    public DicomFormatException(string message) : base(message) { }

    /// <summary>Creates the exception with an inner cause.</summary>
    public DicomFormatException(string message, Exception inner) : base(message, inner) { }

    /// <summary>Creates an exception that names the tag and the absolute byte offset where parsing failed.</summary>
    public DicomFormatException(string what, DicomTag tag, long offset)
        : base($"{what} at tag {tag} (byte offset {offset})")
    {
        Tag = tag;
        Offset = offset;
    }

    /// <summary>The tag being parsed when the error was found, if known.</summary>
    public DicomTag? Tag { get; init; }

    /// <summary>Absolute byte offset in the input where the error was found (-1 if unknown).</summary>
    public long Offset { get; init; } = -1;
}

namespace Mirc.Dicom;

/// <summary>A parsed element header: tag, VR, declared length and header size in bytes.</summary>
internal readonly record struct DicomElementHeader(DicomTag Tag, DicomVR VR, uint Length, int Size)
{
    public const uint UndefinedLength = 0xFFFFFFFF;
    public bool IsUndefinedLength => Length == UndefinedLength;
}

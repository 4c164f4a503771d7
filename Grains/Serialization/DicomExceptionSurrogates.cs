using Mirc.Dicom;
using Mirc.Dicom.Network;

namespace Mirc.Grains.Serialization;

// The DICOM library knows nothing of Orleans, yet its exceptions are thrown inside grains (parsing, DIMSE) and travel to
// callers on other silos: these surrogates carry their message and the fields a caller acts on. The stack trace stays
// in the log of the silo that threw.

/// <summary>Wire form of <see cref="DicomFormatException"/>.</summary>
[GenerateSerializer, Immutable, Alias("mirc.DicomFormatException")]
public readonly record struct DicomFormatExceptionSurrogate([property: Id(0)] string Message, [property: Id(1)] uint? Tag, [property: Id(2)] long Offset);

/// <summary>Converts <see cref="DicomFormatException"/> to and from its wire form.</summary>
[RegisterConverter]
public sealed class DicomFormatExceptionConverter : IConverter<DicomFormatException, DicomFormatExceptionSurrogate>
{
    public DicomFormatException ConvertFromSurrogate(in DicomFormatExceptionSurrogate surrogate) =>
        new(surrogate.Message) { Tag = surrogate.Tag is { } tag ? new DicomTag(tag) : null, Offset = surrogate.Offset };

    public DicomFormatExceptionSurrogate ConvertToSurrogate(in DicomFormatException value) => new(value.Message, value.Tag?.Value, value.Offset);
}

/// <summary>Wire form of <see cref="DimseServiceException"/>.</summary>
[GenerateSerializer, Immutable, Alias("mirc.DimseServiceException")]
public readonly record struct DimseServiceExceptionSurrogate([property: Id(0)] ushort Status, [property: Id(1)] string Message);

/// <summary>Converts <see cref="DimseServiceException"/> (the DIMSE status is what the caller answers with).</summary>
[RegisterConverter]
public sealed class DimseServiceExceptionConverter : IConverter<DimseServiceException, DimseServiceExceptionSurrogate>
{
    public DimseServiceException ConvertFromSurrogate(in DimseServiceExceptionSurrogate surrogate) => new(surrogate.Status, surrogate.Message);

    public DimseServiceExceptionSurrogate ConvertToSurrogate(in DimseServiceException value) => new(value.Status, value.Message);
}

/// <summary>Wire form of <see cref="DicomProtocolException"/>.</summary>
[GenerateSerializer, Immutable, Alias("mirc.DicomProtocolException")]
public readonly record struct DicomProtocolExceptionSurrogate([property: Id(0)] string Message);

/// <summary>Converts <see cref="DicomProtocolException"/>.</summary>
[RegisterConverter]
public sealed class DicomProtocolExceptionConverter : IConverter<DicomProtocolException, DicomProtocolExceptionSurrogate>
{
    public DicomProtocolException ConvertFromSurrogate(in DicomProtocolExceptionSurrogate surrogate) => new(surrogate.Message);

    public DicomProtocolExceptionSurrogate ConvertToSurrogate(in DicomProtocolException value) => new(value.Message);
}

/// <summary>Wire form of <see cref="DicomAssociationException"/>, with the A-ASSOCIATE-RJ fields when it was a rejection.</summary>
[GenerateSerializer, Immutable, Alias("mirc.DicomAssociationException")]
public readonly record struct DicomAssociationExceptionSurrogate(
    [property: Id(0)] string Message, [property: Id(1)] byte? RejectResult, [property: Id(2)] byte? RejectSource, [property: Id(3)] byte? RejectReason);

/// <summary>Converts <see cref="DicomAssociationException"/>.</summary>
[RegisterConverter]
public sealed class DicomAssociationExceptionConverter : IConverter<DicomAssociationException, DicomAssociationExceptionSurrogate>
{
    public DicomAssociationException ConvertFromSurrogate(in DicomAssociationExceptionSurrogate surrogate) => new(surrogate.Message)
    {
        Rejection = surrogate is { RejectResult: { } result, RejectSource: { } source, RejectReason: { } reason }
            ? new AssociationRejection((AssociationRejectResult)result, (AssociationRejectSource)source, reason)
            : null,
    };

    public DicomAssociationExceptionSurrogate ConvertToSurrogate(in DicomAssociationException value) =>
        new(value.Message, (byte?)value.Rejection?.Result, (byte?)value.Rejection?.Source, value.Rejection?.Reason);
}

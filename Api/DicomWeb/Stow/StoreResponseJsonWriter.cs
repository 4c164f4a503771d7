using System.Text.Json;

namespace Mirc.Api.DicomWeb.Stow;

/// <summary>Writes a <see cref="StoreResponse"/> as the DICOM JSON store response dataset (PS3.18 Table 10.5.3-1).</summary>
public static class StoreResponseJsonWriter
{
    /// <summary>Writes the response object (one dataset, not an array) to <paramref name="writer"/>.</summary>
    public static void Write(Utf8JsonWriter writer, StoreResponse response)
    {
        writer.WriteStartObject();
        if (response.StudyRetrieveUrl is not null) WriteString(writer, "00081190", "UR", response.StudyRetrieveUrl);
        if (response.Failed.Count > 0)
        {
            WriteSequenceStart(writer, "00081198");
            foreach (var failed in response.Failed)
            {
                writer.WriteStartObject();
                if (failed.SopClassUid is not null) WriteString(writer, "00081150", "UI", failed.SopClassUid);
                if (failed.SopInstanceUid is not null) WriteString(writer, "00081155", "UI", failed.SopInstanceUid);
                WriteUnsigned(writer, "00081197", failed.FailureReason);
                // Error Comment (0000,0902), as dcm4chee does: why this part failed, in words.
                WriteString(writer, "00000902", "LO", failed.Detail);
                writer.WriteEndObject();
            }
            WriteSequenceEnd(writer);
        }
        if (response.Stored.Count > 0)
        {
            WriteSequenceStart(writer, "00081199");
            foreach (var stored in response.Stored)
            {
                writer.WriteStartObject();
                WriteString(writer, "00081150", "UI", stored.SopClassUid);
                WriteString(writer, "00081155", "UI", stored.SopInstanceUid);
                WriteString(writer, "00081190", "UR", stored.RetrieveUrl);
                if (stored.WarningReason is { } warning) WriteUnsigned(writer, "00081196", warning);
                writer.WriteEndObject();
            }
            WriteSequenceEnd(writer);
        }
        writer.WriteEndObject();
    }

    private static void WriteString(Utf8JsonWriter writer, string tag, string vr, string value)
    {
        writer.WriteStartObject(tag);
        writer.WriteString("vr", vr);
        writer.WriteStartArray("Value");
        writer.WriteStringValue(value);
        writer.WriteEndArray();
        writer.WriteEndObject();
    }

    private static void WriteUnsigned(Utf8JsonWriter writer, string tag, ushort value)
    {
        writer.WriteStartObject(tag);
        writer.WriteString("vr", "US");
        writer.WriteStartArray("Value");
        writer.WriteNumberValue(value);
        writer.WriteEndArray();
        writer.WriteEndObject();
    }

    private static void WriteSequenceStart(Utf8JsonWriter writer, string tag)
    {
        writer.WriteStartObject(tag);
        writer.WriteString("vr", "SQ");
        writer.WriteStartArray("Value");
    }

    private static void WriteSequenceEnd(Utf8JsonWriter writer)
    {
        writer.WriteEndArray();
        writer.WriteEndObject();
    }
}

using System.Buffers;
using System.Text.Json;
using Mirc.Grains.Interfaces.Audit;

namespace Mirc.Grains.Audit;

/// <summary>The JSON-lines export format of a record (readable names, ISO timestamps, with its chain links).</summary>
public static class AuditRecordJson
{
    /// <summary>Writes one record as a single line (with the trailing newline).</summary>
    public static void WriteLine(IBufferWriter<byte> output, AuditRecord record)
    {
        var e = record.Event;
        using (var json = new Utf8JsonWriter(output))
        {
            json.WriteStartObject();
            json.WriteNumber("sequence", record.Sequence);
            json.WriteString("timestamp", e.Timestamp.UtcDateTime.ToString("O", System.Globalization.CultureInfo.InvariantCulture));
            json.WriteString("action", e.Action.ToString());
            json.WriteString("outcome", e.Outcome.ToString());
            json.WriteString("actorId", e.ActorId);
            json.WriteString("actorRpps", e.ActorRpps);
            json.WriteString("actorEstablishmentId", e.ActorEstablishmentId);
            json.WriteString("actorRoles", e.ActorRoles);
            json.WriteString("source", e.Source);
            json.WriteString("patientId", e.PatientId);
            json.WriteStartArray("studyUids");
            foreach (var uid in e.StudyUids)
            {
                json.WriteStringValue(uid);
            }

            json.WriteEndArray();
            json.WriteString("detail", e.Detail);
            json.WriteBoolean("requiresReview", e.RequiresReview);
            json.WriteString("previousHash", record.PreviousHash);
            json.WriteString("hash", record.Hash);
            json.WriteEndObject();
        }

        output.Write("\n"u8);
    }
}

using System.Buffers;
using System.Security.Cryptography;
using System.Text.Json;
using Mirc.Grains.Interfaces.Audit;

namespace Mirc.Grains.Audit;

/// <summary>
/// The byte form that is hashed: compact UTF-8 JSON with a fixed member order, timestamps as UTC ticks (exact),
/// enums as numbers. It never depends on a serializer's settings, so a record re-read from any storage hashes the same.
/// </summary>
public static class AuditCanonicalForm
{
    /// <summary>Previous hash of the first record.</summary>
    public static readonly string GenesisHash = new('0', 64);

    /// <summary>Writes the canonical form of a record made of <paramref name="sequence"/>, <paramref name="e"/> and <paramref name="previousHash"/>.</summary>
    public static void Write(IBufferWriter<byte> output, long sequence, AuditEvent e, string previousHash)
    {
        using var json = new Utf8JsonWriter(output, new JsonWriterOptions { Indented = false, SkipValidation = false });
        json.WriteStartObject();
        json.WriteNumber("seq", sequence);
        json.WriteString("prev", previousHash);
        json.WriteNumber("ts", e.Timestamp.UtcTicks);
        json.WriteNumber("action", (int)e.Action);
        json.WriteNumber("outcome", (int)e.Outcome);
        json.WriteString("actor", e.ActorId);
        json.WriteString("rpps", e.ActorRpps);
        json.WriteString("est", e.ActorEstablishmentId);
        json.WriteString("roles", e.ActorRoles);
        json.WriteString("source", e.Source);
        json.WriteString("patient", e.PatientId);
        json.WriteStartArray("studies");
        foreach (var uid in e.StudyUids)
        {
            json.WriteStringValue(uid);
        }

        json.WriteEndArray();
        json.WriteString("detail", e.Detail);
        json.WriteBoolean("review", e.RequiresReview);
        json.WriteEndObject();
    }

    /// <summary>SHA-256 (lower-case hex) of the canonical form.</summary>
    public static string ComputeHash(long sequence, AuditEvent e, string previousHash)
    {
        var buffer = new ArrayBufferWriter<byte>(512);
        Write(buffer, sequence, e, previousHash);
        return Convert.ToHexStringLower(SHA256.HashData(buffer.WrittenSpan));
    }

    /// <summary>The committed record following <paramref name="previousHash"/>.</summary>
    public static AuditRecord Seal(long sequence, AuditEvent e, string previousHash) => new()
    {
        Sequence = sequence,
        Event = e,
        PreviousHash = previousHash,
        Hash = ComputeHash(sequence, e, previousHash),
    };
}

using System.Globalization;
using System.Text;
using System.Xml;
using Mirc.Grains.Interfaces.Audit;

namespace Mirc.Grains.Audit.Atna;

/// <summary>Formats an audit event as a DICOM PS3.15 A.5 audit message (XML, UTF-8, no declaration whitespace).</summary>
public static class AtnaMessageFormatter
{
    /// <summary>Maximum study participants per message (keeps a UDP datagram well under 64 KiB).</summary>
    public const int MaxStudies = 100;

    /// <summary>The audit message for <paramref name="e"/>.</summary>
    public static byte[] Format(AuditEvent e, string auditSourceId, string? enterpriseSiteId)
    {
        var (code, meaning, actionCode, typeCode, typeMeaning) = AtnaEventCodes.For(e.Action);
        using var stream = new MemoryStream(2048);
        using (var xml = XmlWriter.Create(stream, new XmlWriterSettings { Encoding = new UTF8Encoding(false), Indent = false }))
        {
            xml.WriteStartDocument();
            xml.WriteStartElement("AuditMessage");

            xml.WriteStartElement("EventIdentification");
            xml.WriteAttributeString("EventActionCode", actionCode);
            xml.WriteAttributeString("EventDateTime", e.Timestamp.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture));
            xml.WriteAttributeString("EventOutcomeIndicator", ((int)e.Outcome).ToString(CultureInfo.InvariantCulture));
            WriteCode(xml, "EventID", code, "DCM", meaning);
            if (typeCode is not null)
            {
                WriteCode(xml, "EventTypeCode", typeCode, "DCM", typeMeaning!);
            }

            xml.WriteEndElement();

            // The requesting party.
            xml.WriteStartElement("ActiveParticipant");
            xml.WriteAttributeString("UserID", e.ActorId ?? "unknown");
            if (e.ActorRpps is not null)
            {
                xml.WriteAttributeString("AlternativeUserID", e.ActorRpps);
            }

            if (e.ActorEstablishmentId is not null)
            {
                xml.WriteAttributeString("UserName", e.ActorEstablishmentId);
            }

            xml.WriteAttributeString("UserIsRequestor", "true");
            if (e.Source is not null)
            {
                xml.WriteAttributeString("NetworkAccessPointID", e.Source);
                xml.WriteAttributeString("NetworkAccessPointTypeCode", "2");
            }

            xml.WriteEndElement();

            // The archive itself.
            xml.WriteStartElement("ActiveParticipant");
            xml.WriteAttributeString("UserID", auditSourceId);
            xml.WriteAttributeString("UserIsRequestor", "false");
            xml.WriteEndElement();

            xml.WriteStartElement("AuditSourceIdentification");
            if (enterpriseSiteId is not null)
            {
                xml.WriteAttributeString("AuditEnterpriseSiteID", enterpriseSiteId);
            }

            xml.WriteAttributeString("AuditSourceID", auditSourceId);
            WriteCode(xml, "AuditSourceTypeCode", "4", "DCM", "Application Server Process");
            xml.WriteEndElement();

            if (e.PatientId is not null)
            {
                xml.WriteStartElement("ParticipantObjectIdentification");
                xml.WriteAttributeString("ParticipantObjectID", e.PatientId);
                xml.WriteAttributeString("ParticipantObjectTypeCode", "1");
                xml.WriteAttributeString("ParticipantObjectTypeCodeRole", "1");
                WriteCode(xml, "ParticipantObjectIDTypeCode", "2", "RFC-3881", "Patient Number");
                xml.WriteEndElement();
            }

            foreach (var study in e.StudyUids.Take(MaxStudies))
            {
                xml.WriteStartElement("ParticipantObjectIdentification");
                xml.WriteAttributeString("ParticipantObjectID", study);
                xml.WriteAttributeString("ParticipantObjectTypeCode", "2");
                xml.WriteAttributeString("ParticipantObjectTypeCodeRole", "3");
                WriteCode(xml, "ParticipantObjectIDTypeCode", "110180", "DCM", "Study Instance UID");
                xml.WriteEndElement();
            }

            xml.WriteEndElement();
            xml.WriteEndDocument();
        }

        return stream.ToArray();
    }

    private static void WriteCode(XmlWriter xml, string element, string code, string system, string meaning)
    {
        xml.WriteStartElement(element);
        xml.WriteAttributeString("csd-code", code);
        xml.WriteAttributeString("codeSystemName", system);
        xml.WriteAttributeString("originalText", meaning);
        xml.WriteEndElement();
    }
}

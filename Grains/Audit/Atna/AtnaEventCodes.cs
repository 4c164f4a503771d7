using Mirc.Grains.Interfaces.Audit;

namespace Mirc.Grains.Audit.Atna;

/// <summary>DICOM PS3.16 CID 400 event ids (and CID 401 type codes) for our audit actions.</summary>
internal static class AtnaEventCodes
{
    /// <summary>(EventID code, meaning, EventActionCode, optional EventTypeCode + meaning).</summary>
    public static (string Code, string Meaning, string ActionCode, string? TypeCode, string? TypeMeaning) For(AuditAction action) => action switch
    {
        AuditAction.Store => ("110104", "DICOM Instances Transferred", "C", null, null),
        AuditAction.Update => ("110104", "DICOM Instances Transferred", "U", null, null),
        AuditAction.Query => ("110112", "Query", "E", null, null),
        AuditAction.Retrieve => ("110103", "DICOM Instances Accessed", "R", null, null),
        AuditAction.ConsentChange => ("110110", "Patient Record", "U", null, null),
        AuditAction.IdentityLink => ("110110", "Patient Record", "U", null, null),
        AuditAction.CareRelationship => ("110110", "Patient Record", "U", null, null),
        AuditAction.Login => ("110114", "User Authentication", "E", "110122", "Login"),
        AuditAction.BreakTheGlass => ("110113", "Security Alert", "E", "110127", "Emergency Override Started"),
        AuditAction.Delete => ("110105", "DICOM Study Deleted", "D", null, null),
        AuditAction.Administration => ("110113", "Security Alert", "E", null, null),
        AuditAction.AuditAccess => ("110101", "Audit Log Used", "R", null, null),
        AuditAction.ResearchExport => ("110106", "Export", "R", null, null),
        AuditAction.Reidentification => ("110110", "Patient Record", "R", null, null),
        AuditAction.ReplicaRepair => ("110104", "DICOM Instances Transferred", "U", null, null),
        AuditAction.OrphanSweep => ("110100", "Application Activity", "D", null, null),
        _ => ("110100", "Application Activity", "E", null, null),
    };
}

namespace Mirc.Dicom.Network.Dimse;

/// <summary>Builds request and response command sets (PS3.7 §9.3, §10.3).</summary>
internal static class DimseMessages
{
    public static DimseCommand Request(CommandField field, ushort messageId, string sopClassUid)
    {
        var c = new DimseCommand { Field = field };
        c.SetUShort(DimseCommand.MessageId, messageId);
        c.SetString(DimseCommand.AffectedSopClassUid, sopClassUid);
        if (field != CommandField.CEchoRequest) c.SetUShort(DimseCommand.Priority, 0);
        return c;
    }

    public static DimseCommand ResponseTo(DimseCommand request, DimseResult result)
    {
        var c = new DimseCommand { Field = (CommandField)((ushort)request.Field | 0x8000) };
        c.SetUShort(DimseCommand.MessageIdBeingRespondedTo, request.MessageIdValue);
        var sopClass = request.GetString(DimseCommand.AffectedSopClassUid);
        if (sopClass.Length > 0) c.SetString(DimseCommand.AffectedSopClassUid, sopClass);
        if (request.Field == CommandField.CStoreRequest)
            c.SetString(DimseCommand.AffectedSopInstanceUid, request.GetString(DimseCommand.AffectedSopInstanceUid));
        c.SetUShort(DimseCommand.Status, result.Status);
        if (!string.IsNullOrEmpty(result.ErrorComment) && result.Status != DimseStatus.Success && !DimseStatus.IsPending(result.Status))
            c.SetString(DimseCommand.ErrorComment, result.ErrorComment.Length > 64 ? result.ErrorComment[..64] : result.ErrorComment);
        return c;
    }

    public static void SetCounts(DimseCommand response, int remaining, int completed, int failed, int warning, bool includeRemaining)
    {
        if (includeRemaining) response.SetUShort(DimseCommand.RemainingSuboperations, Clamp(remaining));
        response.SetUShort(DimseCommand.CompletedSuboperations, Clamp(completed));
        response.SetUShort(DimseCommand.FailedSuboperations, Clamp(failed));
        response.SetUShort(DimseCommand.WarningSuboperations, Clamp(warning));
    }

    private static ushort Clamp(int value) => (ushort)Math.Clamp(value, 0, ushort.MaxValue);
}

namespace Mirc.Dicom.Network;

/// <summary>Sub-operation counters of one C-GET / C-MOVE (PS3.7 §9.1.3, §9.1.4).</summary>
internal sealed class RetrieveProgress(int total)
{
    private readonly List<string> _failed = [];

    public int Remaining { get; private set; } = total;
    public int Completed { get; private set; }
    public int Failed { get; private set; }
    public int Warning { get; private set; }
    public IReadOnlyList<string> FailedUids => _failed;

    public void Record(DicomInstanceSource source, DimseResult result)
    {
        Remaining--;
        if (result.Status == DimseStatus.Success) Completed++;
        else if (DimseStatus.IsSuccessOrWarning(result.Status)) Warning++;
        else
        {
            Failed++;
            _failed.Add(source.SopInstanceUid);
        }
    }
}

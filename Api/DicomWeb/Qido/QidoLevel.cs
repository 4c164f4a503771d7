namespace Mirc.Api.DicomWeb.Qido;

/// <summary>The information-model level a QIDO-RS request searches (PS3.18 §10.6).</summary>
public enum QidoLevel
{
    /// <summary><c>/studies</c>.</summary>
    Study,

    /// <summary><c>/series</c> or <c>/studies/{study}/series</c>.</summary>
    Series,

    /// <summary><c>/instances</c>, <c>/studies/{study}/instances</c> or <c>/studies/{study}/series/{series}/instances</c>.</summary>
    Instance,
}

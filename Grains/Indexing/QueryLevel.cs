namespace Mirc.Grains.Indexing;

/// <summary>Query/Retrieve level of a C-FIND or QIDO-RS query (the rows it returns).</summary>
public enum QueryLevel
{
    /// <summary>One row per patient (patient id + issuer).</summary>
    Patient,

    /// <summary>One row per study, with its patient's attributes.</summary>
    Study,

    /// <summary>One row per series, with its study's and patient's attributes.</summary>
    Series,

    /// <summary>One row per instance, with its series', study's and patient's attributes.</summary>
    Image,
}

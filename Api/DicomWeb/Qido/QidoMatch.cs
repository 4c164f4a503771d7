namespace Mirc.Api.DicomWeb.Qido;

/// <summary>One matching key of a search: attribute and the DICOM matching expression (wildcards, ranges, UID lists).</summary>
/// <param name="Attribute">The attribute matched.</param>
/// <param name="Value">The expression as sent, e.g. <c>DOE^J*</c>, <c>20200101-20201231</c>, <c>1.2.3\1.2.4</c>; empty = universal.</param>
public sealed record QidoMatch(AttributeDefinition Attribute, string Value);

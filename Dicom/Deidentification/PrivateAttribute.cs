namespace Mirc.Dicom.Deidentification;

/// <summary>A private attribute known to carry no identity, kept by the de-identifier: its creator, group and element byte.</summary>
/// <param name="Creator">Private Creator value (e.g. <c>SIEMENS MR HEADER</c>), compared exactly after trimming.</param>
/// <param name="Group">Odd group number.</param>
/// <param name="Element">Low byte of the element (the <c>xx</c> of <c>gggg,00xx</c> blocks: <c>(0019,xx0C)</c> → 0x0C).</param>
public sealed record PrivateAttribute(string Creator, ushort Group, byte Element);

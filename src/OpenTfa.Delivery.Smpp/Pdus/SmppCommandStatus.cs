using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace OpenTfa.Delivery.Smpp.Pdus;

/// <summary>SMPP 3.4 command_status values (section 5.1.3) and their names.</summary>
[SuppressMessage("Naming", "CA1707", Justification = "Named exactly as the SMPP 3.4 specification and every SMSC log names them.")]
public static class SmppCommandStatus
{
    public const uint ESME_ROK = 0x00000000;
    public const uint ESME_RINVMSGLEN = 0x00000001;
    public const uint ESME_RINVCMDLEN = 0x00000002;
    public const uint ESME_RINVCMDID = 0x00000003;
    public const uint ESME_RINVBNDSTS = 0x00000004;
    public const uint ESME_RALYBND = 0x00000005;
    public const uint ESME_RINVPRTFLG = 0x00000006;
    public const uint ESME_RINVREGDLVFLG = 0x00000007;
    public const uint ESME_RSYSERR = 0x00000008;
    public const uint ESME_RINVSRCADR = 0x0000000A;
    public const uint ESME_RINVDSTADR = 0x0000000B;
    public const uint ESME_RINVMSGID = 0x0000000C;
    public const uint ESME_RBINDFAIL = 0x0000000D;
    public const uint ESME_RINVPASWD = 0x0000000E;
    public const uint ESME_RINVSYSID = 0x0000000F;
    public const uint ESME_RCANCELFAIL = 0x00000011;
    public const uint ESME_RREPLACEFAIL = 0x00000013;
    public const uint ESME_RMSGQFUL = 0x00000014;
    public const uint ESME_RINVSERTYP = 0x00000015;
    public const uint ESME_RINVNUMDESTS = 0x00000033;
    public const uint ESME_RINVDLNAME = 0x00000034;
    public const uint ESME_RINVDESTFLAG = 0x00000040;
    public const uint ESME_RINVSUBREP = 0x00000042;
    public const uint ESME_RINVESMCLASS = 0x00000043;
    public const uint ESME_RCNTSUBDL = 0x00000044;
    public const uint ESME_RSUBMITFAIL = 0x00000045;
    public const uint ESME_RINVSRCTON = 0x00000048;
    public const uint ESME_RINVSRCNPI = 0x00000049;
    public const uint ESME_RINVDSTTON = 0x00000050;
    public const uint ESME_RINVDSTNPI = 0x00000051;
    public const uint ESME_RINVSYSTYP = 0x00000053;
    public const uint ESME_RINVREPFLAG = 0x00000054;
    public const uint ESME_RINVNUMMSGS = 0x00000055;
    public const uint ESME_RTHROTTLED = 0x00000058;
    public const uint ESME_RINVSCHED = 0x00000061;
    public const uint ESME_RINVEXPIRY = 0x00000062;
    public const uint ESME_RINVDFTMSGID = 0x00000063;
    public const uint ESME_RX_T_APPN = 0x00000064;
    public const uint ESME_RX_P_APPN = 0x00000065;
    public const uint ESME_RX_R_APPN = 0x00000066;
    public const uint ESME_RQUERYFAIL = 0x00000067;
    public const uint ESME_RINVOPTPARSTREAM = 0x000000C0;
    public const uint ESME_ROPTPARNOTALLWD = 0x000000C1;
    public const uint ESME_RINVPARLEN = 0x000000C2;
    public const uint ESME_RMISSINGOPTPARAM = 0x000000C3;
    public const uint ESME_RINVOPTPARAMVAL = 0x000000C4;
    public const uint ESME_RDELIVERYFAILURE = 0x000000FE;
    public const uint ESME_RUNKNOWNERR = 0x000000FF;

    private static readonly Dictionary<uint, string> Names = new()
    {
        [ESME_ROK] = nameof(ESME_ROK),
        [ESME_RINVMSGLEN] = nameof(ESME_RINVMSGLEN),
        [ESME_RINVCMDLEN] = nameof(ESME_RINVCMDLEN),
        [ESME_RINVCMDID] = nameof(ESME_RINVCMDID),
        [ESME_RINVBNDSTS] = nameof(ESME_RINVBNDSTS),
        [ESME_RALYBND] = nameof(ESME_RALYBND),
        [ESME_RINVPRTFLG] = nameof(ESME_RINVPRTFLG),
        [ESME_RINVREGDLVFLG] = nameof(ESME_RINVREGDLVFLG),
        [ESME_RSYSERR] = nameof(ESME_RSYSERR),
        [ESME_RINVSRCADR] = nameof(ESME_RINVSRCADR),
        [ESME_RINVDSTADR] = nameof(ESME_RINVDSTADR),
        [ESME_RINVMSGID] = nameof(ESME_RINVMSGID),
        [ESME_RBINDFAIL] = nameof(ESME_RBINDFAIL),
        [ESME_RINVPASWD] = nameof(ESME_RINVPASWD),
        [ESME_RINVSYSID] = nameof(ESME_RINVSYSID),
        [ESME_RCANCELFAIL] = nameof(ESME_RCANCELFAIL),
        [ESME_RREPLACEFAIL] = nameof(ESME_RREPLACEFAIL),
        [ESME_RMSGQFUL] = nameof(ESME_RMSGQFUL),
        [ESME_RINVSERTYP] = nameof(ESME_RINVSERTYP),
        [ESME_RINVNUMDESTS] = nameof(ESME_RINVNUMDESTS),
        [ESME_RINVDLNAME] = nameof(ESME_RINVDLNAME),
        [ESME_RINVDESTFLAG] = nameof(ESME_RINVDESTFLAG),
        [ESME_RINVSUBREP] = nameof(ESME_RINVSUBREP),
        [ESME_RINVESMCLASS] = nameof(ESME_RINVESMCLASS),
        [ESME_RCNTSUBDL] = nameof(ESME_RCNTSUBDL),
        [ESME_RSUBMITFAIL] = nameof(ESME_RSUBMITFAIL),
        [ESME_RINVSRCTON] = nameof(ESME_RINVSRCTON),
        [ESME_RINVSRCNPI] = nameof(ESME_RINVSRCNPI),
        [ESME_RINVDSTTON] = nameof(ESME_RINVDSTTON),
        [ESME_RINVDSTNPI] = nameof(ESME_RINVDSTNPI),
        [ESME_RINVSYSTYP] = nameof(ESME_RINVSYSTYP),
        [ESME_RINVREPFLAG] = nameof(ESME_RINVREPFLAG),
        [ESME_RINVNUMMSGS] = nameof(ESME_RINVNUMMSGS),
        [ESME_RTHROTTLED] = nameof(ESME_RTHROTTLED),
        [ESME_RINVSCHED] = nameof(ESME_RINVSCHED),
        [ESME_RINVEXPIRY] = nameof(ESME_RINVEXPIRY),
        [ESME_RINVDFTMSGID] = nameof(ESME_RINVDFTMSGID),
        [ESME_RX_T_APPN] = nameof(ESME_RX_T_APPN),
        [ESME_RX_P_APPN] = nameof(ESME_RX_P_APPN),
        [ESME_RX_R_APPN] = nameof(ESME_RX_R_APPN),
        [ESME_RQUERYFAIL] = nameof(ESME_RQUERYFAIL),
        [ESME_RINVOPTPARSTREAM] = nameof(ESME_RINVOPTPARSTREAM),
        [ESME_ROPTPARNOTALLWD] = nameof(ESME_ROPTPARNOTALLWD),
        [ESME_RINVPARLEN] = nameof(ESME_RINVPARLEN),
        [ESME_RMISSINGOPTPARAM] = nameof(ESME_RMISSINGOPTPARAM),
        [ESME_RINVOPTPARAMVAL] = nameof(ESME_RINVOPTPARAMVAL),
        [ESME_RDELIVERYFAILURE] = nameof(ESME_RDELIVERYFAILURE),
        [ESME_RUNKNOWNERR] = nameof(ESME_RUNKNOWNERR),
    };

    /// <summary>
    /// The status's SMPP name, <c>ESME_VENDOR_0x00000400</c> for the vendor-specific range
    /// 0x400–0x4FF, or <c>ESME_UNKNOWN_0x…</c> for anything SMPP 3.4 does not define.
    /// </summary>
    public static string GetName(uint status)
    {
        if (Names.TryGetValue(status, out var name))
        {
            return name;
        }

        var hex = status.ToString("X8", CultureInfo.InvariantCulture);
        return status is >= 0x400 and <= 0x4FF ? $"ESME_VENDOR_0x{hex}" : $"ESME_UNKNOWN_0x{hex}";
    }
}

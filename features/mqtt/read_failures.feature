# Parameters the firmware cannot read: the *_READ_FAILED codes of every MQTT
# command, the LinkID read failure 0x6010 of each, and strings the core
# cannot parse.
# Sources: ESP-AT MQTT spec, error table (0x6010 LINK_ID, 0x6012 SCHEME,
# 0x6014 CLIENT_ID, 0x6017 USERNAME, 0x601A PASSWORD, 0x601D CERT_KEY_ID,
# 0x601F CA_ID, 0x6027 PATH, 0x602B KEEPALIVE, 0x602E DISABLE_CLEAN_SESSION,
# 0x6030 LWT_TOPIC, 0x6033 LWT_MSG, 0x6036 LWT_QOS, 0x6038 LWT_RETAIN,
# 0x603A HOST, 0x603D PORT, 0x603F RECONNECT, 0x6041 TOPIC, 0x6044 DATA,
# 0x6047 QOS, 0x6049 RETAIN, each _READ_FAILED) and the syntax lines of each
# command (which parameters are "strings" and which integers); ESP-AT
# reference §3 (strings are double-quoted, integers bare) and §2.3 (the
# parameters are read in the order of the syntax line, the LinkID first).
# What a "read failure" is (the spec does not say; the shipped firmware reads
# each parameter with esp_at_get_para_as_digit / esp_at_get_para_as_str,
# public API in esp_at.h, and anything but a parsed value is a failure):
# - an integer parameter fails when it is quoted ("1"), not a number (x) or
#   omitted (nothing between its commas);
# - a string parameter fails when it is unquoted (esp-at#958: the core only
#   reads quoted strings) or omitted; an empty "" is read fine and is the
#   *_IS_NULL case instead (null_values.feature, or 0x6042/0x603B/0x6045);
# - a missing trailing parameter fails like an omitted one for USERCFG,
#   CONNCFG, CONN and the single-field commands, whose count is checked after
#   their parameters (reference §2.3 for CONN); SUB, UNSUB, PUB and PUBRAW
#   check their count first, so there it is 0x6008 (boundaries.feature).
# - a parameter that opens a quote but is no string (an unescaped comma
#   splits it, esp-at#246/#364/#647; its closing quote is escaped or missing)
#   makes the core print its own PARA_PARSE_FAIL code for the parameter's
#   index, 0x0108000N, before the MQTT code: esp-at#647 shows exactly
#   `ERR CODE:0x01080002` then `ERR CODE:0x010a6044` for an unescaped comma in
#   the data of AT+MQTTPUB. No public transcript shows a core line for the
#   other read failures, so none is expected there.
# Checks against a board: the core may add a generic code line for a type
# mismatch too (reference §2.2); a board that does fails these scenarios,
# which is how we would learn it.
@esp32 @esp8266 @parameters
Feature: Parameters of the wrong type or left out are read failures

  Background:
    Given the device has been reset
    And I have sent AT+SYSLOG=1

  @usercfg
  Scenario Outline: USERCFG: <what> is refused with <code>
    When I send AT+MQTTUSERCFG=<params>
    Then the device answers:
      """
      ERR CODE:<code>
      ERROR
      """

    Examples:
      | params                          | code       | what                       |
      | x,1,"rf","","",0,0,""           | 0x010a6010 | a LinkID that is no number |
      | "0",1,"rf","","",0,0,""         | 0x010a6010 | a quoted LinkID            |
      | ,1,"rf","","",0,0,""            | 0x010a6010 | an omitted LinkID          |
      | 0,x,"rf","","",0,0,""           | 0x010a6012 | a scheme that is no number |
      | 0,"1","rf","","",0,0,""         | 0x010a6012 | a quoted scheme            |
      | 0,,"rf","","",0,0,""            | 0x010a6012 | an omitted scheme          |
      | 0,1,rf,"","",0,0,""             | 0x010a6014 | an unquoted client id      |
      | 0,1,,"","",0,0,""               | 0x010a6014 | an omitted client id       |
      | 0,1,"rf",alice,"",0,0,""        | 0x010a6017 | an unquoted username       |
      | 0,1,"rf",,"",0,0,""             | 0x010a6017 | an omitted username        |
      | 0,1,"rf","",secret,0,0,""       | 0x010a601a | an unquoted password       |
      | 0,1,"rf","",,0,0,""             | 0x010a601a | an omitted password        |
      | 0,1,"rf","","","0",0,""         | 0x010a601d | a quoted cert_key_ID       |
      | 0,1,"rf","","",,0,""            | 0x010a601d | an omitted cert_key_ID     |
      | 0,1,"rf","","",0,x,""           | 0x010a601f | a CA_ID that is no number  |
      | 0,1,"rf","","",0,,""            | 0x010a601f | an omitted CA_ID           |
      | 0,1,"rf","","",0,0,mqtt         | 0x010a6027 | an unquoted path           |
      | 0,1,"rf","","",0,0,             | 0x010a6027 | an omitted path            |

  @usercfg
  Scenario: USERCFG: an unescaped comma splits the client id, and the core reports parameter 2 first
    # esp-at#364: a client id with a comma fails until the comma is written \,
    When I send AT+MQTTUSERCFG=0,1,"rf,id","","",0,0,""
    Then the device answers:
      """
      ERR CODE:0x01080002
      ERR CODE:0x010a6014
      ERROR
      """

  @credentials
  Scenario Outline: <command>: <what> is refused with <code>
    Given I have sent AT+MQTTUSERCFG=0,1,"rf-cred","","",0,0,""
    When I send AT+<command>=<params>
    Then the device answers:
      """
      ERR CODE:<code>
      ERROR
      """

    Examples:
      | command      | params   | code       | what                       |
      | MQTTCLIENTID | x,"id"   | 0x010a6010 | a LinkID that is no number |
      | MQTTCLIENTID | 0,id     | 0x010a6014 | an unquoted client id      |
      | MQTTCLIENTID | 0        | 0x010a6014 | a missing client id        |
      | MQTTUSERNAME | "0","u"  | 0x010a6010 | a quoted LinkID            |
      | MQTTUSERNAME | 0,bob    | 0x010a6017 | an unquoted username       |
      | MQTTUSERNAME | 0,       | 0x010a6017 | an omitted username        |
      | MQTTPASSWORD | ,"pw"    | 0x010a6010 | an omitted LinkID          |
      | MQTTPASSWORD | 0,pw     | 0x010a601a | an unquoted password       |
      | MQTTPASSWORD | 0        | 0x010a601a | a missing password         |

  @conncfg
  Scenario Outline: CONNCFG: <what> is refused with <code>
    Given I have sent AT+MQTTUSERCFG=0,1,"rf-conncfg","","",0,0,""
    When I send AT+MQTTCONNCFG=<params>
    Then the device answers:
      """
      ERR CODE:<code>
      ERROR
      """

    Examples:
      | params                | code       | what                                  |
      | x,60,0,"t","m",0,0    | 0x010a6010 | a LinkID that is no number            |
      | 0,"60",0,"t","m",0,0  | 0x010a602b | a quoted keepalive                    |
      | 0,,0,"t","m",0,0      | 0x010a602b | an omitted keepalive                  |
      | 0,60,x,"t","m",0,0    | 0x010a602e | a disable_clean_session of no number  |
      | 0,60,,"t","m",0,0     | 0x010a602e | an omitted disable_clean_session      |
      | 0,60,0,t,"m",0,0      | 0x010a6030 | an unquoted will topic                |
      | 0,60,0,,"m",0,0       | 0x010a6030 | an omitted will topic                 |
      | 0,60,0,"t",m,0,0      | 0x010a6033 | an unquoted will message              |
      | 0,60,0,"t",,0,0       | 0x010a6033 | an omitted will message               |
      | 0,60,0,"t","m","0",0  | 0x010a6036 | a quoted will QoS                     |
      | 0,60,0,"t","m",x,0    | 0x010a6036 | a will QoS that is no number          |
      | 0,60,0,"t","m",0,x    | 0x010a6038 | a will retain that is no number       |
      | 0,60,0,"t","m",0      | 0x010a6038 | a missing will retain                 |

  @conncfg
  Scenario: CONNCFG: an unescaped comma in the will message is a parse failure of parameter 4
    Given I have sent AT+MQTTUSERCFG=0,1,"rf-conncfg","","",0,0,""
    When I send AT+MQTTCONNCFG=0,60,0,"rf/will","bye, now",0,0
    Then the device answers:
      """
      ERR CODE:0x01080004
      ERR CODE:0x010a6033
      ERROR
      """

  @conn
  Scenario Outline: CONN: <what> is refused with <code>
    Given I have sent AT+MQTTUSERCFG=0,1,"rf-conn","","",0,0,""
    When I send AT+MQTTCONN=<params>
    Then the device answers:
      """
      ERR CODE:<code>
      ERROR
      """

    Examples:
      | params                    | code       | what                                      |
      | x,"127.0.0.1",1883,0      | 0x010a6010 | a LinkID that is no number                |
      | 0,127.0.0.1,1883,0        | 0x010a603a | an unquoted host                          |
      | 0,,1883,0                 | 0x010a603a | an omitted host                           |
      | 0,"127.0.0.1","1883",0    | 0x010a603d | a quoted port, as +MQTTCONNECTED prints it |
      | 0,"127.0.0.1",x,0         | 0x010a603d | a port that is no number                  |
      | 0,"127.0.0.1",,0          | 0x010a603d | an omitted port                           |
      | 0,"127.0.0.1",1883,"0"    | 0x010a603f | a quoted reconnect                        |
      | 0,"127.0.0.1",1883,       | 0x010a603f | an omitted reconnect                      |

  Rule: connected

    Background:
      Given I have sent these commands, each answered OK:
        """
        AT+MQTTUSERCFG=0,1,"rf-connected","","",0,0,""
        AT+MQTTCONN=0,"{broker.host}",{port.scheme1},0
        """

    @pub @pubraw @sub @unsub
    Scenario Outline: <command>: <what> is refused with <code>
      When I send AT+<command>=<params>
      Then the device answers:
        """
        ERR CODE:<code>
        ERROR
        """

      Examples:
        | command    | params            | code       | what                       |
        | MQTTPUB    | x,"t","d",0,0     | 0x010a6010 | a LinkID that is no number |
        | MQTTPUB    | 0,t,"d",0,0       | 0x010a6041 | an unquoted topic          |
        | MQTTPUB    | 0,,"d",0,0        | 0x010a6041 | an omitted topic           |
        | MQTTPUB    | 0,"t",d,0,0       | 0x010a6044 | unquoted data              |
        | MQTTPUB    | 0,"t",,0,0        | 0x010a6044 | omitted data               |
        | MQTTPUB    | 0,"t","d",x,0     | 0x010a6047 | a QoS that is no number    |
        | MQTTPUB    | 0,"t","d","1",0   | 0x010a6047 | a quoted QoS               |
        | MQTTPUB    | 0,"t","d",0,x     | 0x010a6049 | a retain that is no number |
        | MQTTPUB    | 0,"t","d",0,      | 0x010a6049 | an omitted retain          |
        | MQTTPUBRAW | "0","t",4,0,0     | 0x010a6010 | a quoted LinkID            |
        | MQTTPUBRAW | 0,t,4,0,0         | 0x010a6041 | an unquoted topic          |
        | MQTTPUBRAW | 0,"t",4,,0        | 0x010a6047 | an omitted QoS             |
        | MQTTPUBRAW | 0,"t",4,"0",0     | 0x010a6047 | a quoted QoS               |
        | MQTTPUBRAW | 0,"t",4,0,"0"     | 0x010a6049 | a quoted retain            |
        | MQTTPUBRAW | 0,"t",4,0,        | 0x010a6049 | an omitted retain          |
        | MQTTSUB    | ,"t",0            | 0x010a6010 | an omitted LinkID          |
        | MQTTSUB    | 0,t,0             | 0x010a6041 | an unquoted topic          |
        | MQTTSUB    | 0,"t",            | 0x010a6047 | an omitted QoS             |
        | MQTTSUB    | 0,"t",x           | 0x010a6047 | a QoS that is no number    |
        | MQTTUNSUB  | x,"t"             | 0x010a6010 | a LinkID that is no number |
        | MQTTUNSUB  | 0,t               | 0x010a6041 | an unquoted topic          |
        | MQTTUNSUB  | 0,                | 0x010a6041 | an omitted topic           |

    @pub @pubraw @sub @unsub
    Scenario Outline: <command>: a comma in the quoted topic splits it; the core reports parameter 1 first
      When I send AT+<command>=<params>
      Then the device answers:
        """
        ERR CODE:0x01080001
        ERR CODE:0x010a6041
        ERROR
        """

      Examples:
        | command    | params              |
        | MQTTPUB    | 0,"rf/a,b","d",0,0  |
        | MQTTPUBRAW | 0,"rf/a,b",4,0,0    |
        | MQTTSUB    | 0,"rf/a,b",0        |
        | MQTTUNSUB  | 0,"rf/a,b"          |

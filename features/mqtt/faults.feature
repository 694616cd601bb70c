# The ESP-AT MQTT error codes that no input on the serial line can cause,
# raised through the virtual firmware's fault-injection control channel.
# Sources: ESP-AT MQTT spec, error-code table (names and values 0x6001-0x6052);
# ESP-AT reference §2.2 (ERR CODE:0x010a60xx before ERROR, only with
# AT+SYSLOG=1; W800 prints no such line, hence @esp32 @esp8266), §2.3 (the
# connect order: parameter checks, then esp-mqtt init/start with 0x600A
# PARAM_PREPARE, 0x600B START_FAILED, 0x604F event group; a failed connect
# that dialled shows +MQTTDISCONNECTED:0 before ERROR, esp-at#427/#478),
# §2.4 (client_id 256 bytes, PUB data 256 bytes, a command line under 256
# bytes), §2.5 (msg_id < 0 from the client: 0x600D on SUB, 0x600E on UNSUB),
# §2.6 (PUBRAW: OK and > before the raw bytes), §2.7 and §2.8 (the PKI
# items are read at every connect, 0x6021-0x6026).
#
# Each fault is one-shot: it fires at the first command that reaches the
# stage it breaks, then the same command succeeds. What the device prints is
# decided here where the reference is silent (not verified on a board):
# * Every fault fires before anything is dialled or sent, so a failing
#   AT+MQTTCONN prints no +MQTTDISCONNECTED:0 and the state stays as it was.
# * malloc: AT+MQTTUSERCFG, after its parameter checks (the copied strings
#   are allocated), 0x6005.
# * version_read: AT+MQTTCONNCFG, after the link and state checks, before
#   keepalive: the table puts 0x602A between USERCFG's last code (path,
#   0x6029) and CONNCFG's first (keepalive, 0x602B).
# * AT+MQTTCONN, in this order after the parameter checks: the PKI items the
#   scheme needs (CA, then certificate, then key), the TLS configuration
#   (0x6009, TLS schemes only), then null_parameter 0x6007, param_prepare
#   0x600A, uri_parse 0x6050, create_sema 0x604E, create_event_group 0x604F,
#   client_start 0x600B. The PKI faults make the partition read as empty or
#   as bytes holding no PEM item; the firmware's own checks then refuse it.
# * client_publish: AT+MQTTPUB after its parameter checks; AT+MQTTPUBRAW
#   after the raw bytes arrived. On PUBRAW the failure comes before any
#   PUBLISH is queued, so it is a command error (ERR CODE, ERROR) after the
#   prompt, not +MQTTPUB:FAIL (which is kept for an unacknowledged publish).
# * recv_length: PUBRAW's port read hands over one byte less than announced
#   (all announced bytes are consumed from the line); the firmware's length
#   check refuses it with 0x604D, ERR CODE then ERROR, nothing is published.
# * client_subscribe / client_unsubscribe: nothing is sent, the topic table
#   and state are unchanged.
# * client_disconnect: AT+MQTTCLEAN with a connection; CLEAN stops there, the
#   connection and configuration stay (state 4), no DISCONNECT is sent.
# * long_line: the next command line may be up to 1024 bytes, as in a vendor
#   build with a bigger command buffer; the command's own length checks
#   (client_id 256 → 0x6016, data 256 → 0x6046) then run on real input.
@virtual_only @esp32 @esp8266 @faults
Feature: Internal failures of the firmware report their own error codes

  Background:
    Given the device has been reset
    And I have sent AT+SYSLOG=1

  Rule: configuration commands

    Scenario: 0x6005 MALLOC_FAILED: USERCFG cannot allocate the link's configuration
      Given the virtual firmware injects the fault "malloc"
      When I send AT+MQTTUSERCFG=0,1,"fault-malloc","","",0,0,""
      Then the device answers:
        """
        ERR CODE:0x010a6005
        ERROR
        """
      When I send AT+MQTTCONN?
      Then the device answers:
        """
        +MQTTCONN:0,0,0,"","","",0
        OK
        """
      When I send AT+MQTTUSERCFG=0,1,"fault-malloc","","",0,0,""
      Then the device answers OK

    Scenario: 0x602A VERSION_READ_FAILED: CONNCFG cannot read the link's protocol version
      Given I have sent AT+MQTTUSERCFG=0,1,"fault-version","","",0,0,""
      And the virtual firmware injects the fault "version_read"
      When I send AT+MQTTCONNCFG=0,60,0,"","",0,0
      Then the device answers:
        """
        ERR CODE:0x010a602a
        ERROR
        """
      When I send AT+MQTTCONN?
      Then the device answers:
        """
        +MQTTCONN:0,1,1,"","","",0
        OK
        """
      When I send AT+MQTTCONNCFG=0,60,0,"","",0,0
      Then the device answers OK

    Scenario: 0x6016 CLIENT_ID_IS_OVERLENGTH: a 257-byte client id on a longer command line
      Given the virtual firmware injects the fault "long_line"
      When I send AT+MQTTUSERCFG=0,1,"{257 x 'c'}","","",0,0,""
      Then the device answers:
        """
        ERR CODE:0x010a6016
        ERROR
        """
      When I send AT+MQTTCONN?
      Then the device answers:
        """
        +MQTTCONN:0,0,0,"","","",0
        OK
        """

    Scenario: a 256-byte client id is accepted on a longer command line, and the lift lasts one line
      Given the virtual firmware injects the fault "long_line"
      When I send AT+MQTTUSERCFG=0,1,"{256 x 'c'}","","",0,0,""
      Then the device answers OK
      When I send AT+MQTTUSERCFG=0,1,"{256 x 'c'}","","",0,0,""
      Then the device answers ERROR

  Rule: connecting

    Scenario: 0x6007 NULL_PARAMTER: CONN finds a configuration item missing
      Given I have sent AT+MQTTUSERCFG=0,1,"fault-null","","",0,0,""
      And the virtual firmware injects the fault "null_parameter"
      When I send AT+MQTTCONN=0,"{broker.host}",{port.scheme1},0
      Then the device answers:
        """
        ERR CODE:0x010a6007
        ERROR
        """
      And the device has reported nothing else
      When I send AT+MQTTCONN?
      Then the device answers:
        """
        +MQTTCONN:0,1,1,"","","",0
        OK
        """
      When I send AT+MQTTCONN=0,"{broker.host}",{port.scheme1},0
      Then the device answers OK
      And the device reports +MQTTCONNECTED:0,1,"{broker.host}","{port.scheme1}","",0

    Scenario: 0x600A PARAM_PREPARE_ERROR: CONN cannot prepare the client's parameters
      Given I have sent AT+MQTTUSERCFG=0,1,"fault-prepare","","",0,0,""
      And the virtual firmware injects the fault "param_prepare"
      When I send AT+MQTTCONN=0,"{broker.host}",{port.scheme1},0
      Then the device answers:
        """
        ERR CODE:0x010a600a
        ERROR
        """
      And the device has reported nothing else
      When I send AT+MQTTCONN?
      Then the device answers:
        """
        +MQTTCONN:0,1,1,"","","",0
        OK
        """
      When I send AT+MQTTCONN=0,"{broker.host}",{port.scheme1},0
      Then the device answers OK
      And the device reports +MQTTCONNECTED:0,1,"{broker.host}","{port.scheme1}","",0

    Scenario: 0x6050 URI_PARSE_FAILED: the client cannot parse the broker URI
      Given I have sent AT+MQTTUSERCFG=0,6,"fault-uri","","",0,0,"/mqtt"
      And the virtual firmware injects the fault "uri_parse"
      When I send AT+MQTTCONN=0,"{broker.host}",{port.scheme6},0
      Then the device answers:
        """
        ERR CODE:0x010a6050
        ERROR
        """
      And the device has reported nothing else
      When I send AT+MQTTCONN?
      Then the device answers:
        """
        +MQTTCONN:0,1,6,"","","",0
        OK
        """
      When I send AT+MQTTCONN=0,"{broker.host}",{port.scheme6},0
      Then the device answers OK
      And the device reports +MQTTCONNECTED:0,6,"{broker.host}","{port.scheme6}","/mqtt",0

    Scenario: 0x604E CREATE_SEMA_FAILED: CONN cannot create its semaphore
      Given I have sent AT+MQTTUSERCFG=0,1,"fault-sema","","",0,0,""
      And the virtual firmware injects the fault "create_sema"
      When I send AT+MQTTCONN=0,"{broker.host}",{port.scheme1},0
      Then the device answers:
        """
        ERR CODE:0x010a604e
        ERROR
        """
      And the device has reported nothing else
      When I send AT+MQTTCONN=0,"{broker.host}",{port.scheme1},0
      Then the device answers OK
      And the device reports +MQTTCONNECTED:0,1,"{broker.host}","{port.scheme1}","",0

    Scenario: 0x604F CREATE_EVENT_GROUP_FAILED: CONN cannot create the event group it waits on
      Given I have sent AT+MQTTUSERCFG=0,1,"fault-events","","",0,0,""
      And the virtual firmware injects the fault "create_event_group"
      When I send AT+MQTTCONN=0,"{broker.host}",{port.scheme1},0
      Then the device answers:
        """
        ERR CODE:0x010a604f
        ERROR
        """
      And the device has reported nothing else
      When I send AT+MQTTCONN=0,"{broker.host}",{port.scheme1},0
      Then the device answers OK
      And the device reports +MQTTCONNECTED:0,1,"{broker.host}","{port.scheme1}","",0

    Scenario: 0x600B CLIENT_START_FAILED: the client does not start, nothing is dialled
      Given I have sent these commands, each answered OK:
        """
        AT+MQTTUSERCFG=0,1,"fault-start","","",0,0,""
        AT+MQTTCONNCFG=0,60,0,"faults/will","start",0,0
        """
      And the virtual firmware injects the fault "client_start"
      When I send AT+MQTTCONN=0,"{broker.host}",{port.scheme1},1
      Then the device answers:
        """
        ERR CODE:0x010a600b
        ERROR
        """
      And the device has reported nothing else
      When I send AT+MQTTCONN?
      Then the device answers:
        """
        +MQTTCONN:0,2,1,"","","",0
        OK
        """
      When I send AT+MQTTCONN=0,"{broker.host}",{port.scheme1},1
      Then the device answers OK
      And the device reports +MQTTCONNECTED:0,1,"{broker.host}","{port.scheme1}","",1

    Scenario: 0x6009 TLS_CONFIG_ERROR: CONN over TLS cannot build its TLS configuration
      Given I have sent AT+MQTTUSERCFG=0,2,"fault-tls","","",0,0,""
      And the virtual firmware injects the fault "tls_config"
      When I send AT+MQTTCONN=0,"{broker.host}",{port.scheme2},0
      Then the device answers:
        """
        ERR CODE:0x010a6009
        ERROR
        """
      And the device has reported nothing else
      When I send AT+MQTTCONN=0,"{broker.host}",{port.scheme2},0
      Then the device answers OK
      And the device reports +MQTTCONNECTED:0,2,"{broker.host}","{port.scheme2}","",0

    Scenario: the TLS fault waits for a TLS connect: a plain connect leaves it armed
      Given I have sent AT+MQTTUSERCFG=0,1,"fault-tls-wait","","",0,0,""
      And the virtual firmware injects the fault "tls_config"
      When I send AT+MQTTCONN=0,"{broker.host}",{port.scheme1},0
      Then the device answers OK
      And the device reports +MQTTCONNECTED:0,1,"{broker.host}","{port.scheme1}","",0
      When I send AT+MQTTCLEAN=0
      Then the device answers OK
      When I send AT+MQTTUSERCFG=0,2,"fault-tls-wait","","",0,0,""
      Then the device answers OK
      When I send AT+MQTTCONN=0,"{broker.host}",{port.scheme2},0
      Then the device answers:
        """
        ERR CODE:0x010a6009
        ERROR
        """

  Rule: certificate partitions

    Scenario: 0x6021 CA_LENGTH_ERROR: the mqtt_ca partition reads as empty
      Given I have sent AT+MQTTUSERCFG=0,3,"fault-ca-empty","","",0,0,""
      And the virtual firmware injects the fault "ca_empty"
      When I send AT+MQTTCONN=0,"{broker.host}",{port.scheme3},0
      Then the device answers:
        """
        ERR CODE:0x010a6021
        ERROR
        """
      And the device has reported nothing else
      When I send AT+MQTTCONN=0,"{broker.host}",{port.scheme3},0
      Then the device answers OK
      And the device reports +MQTTCONNECTED:0,3,"{broker.host}","{port.scheme3}","",0

    Scenario: 0x6022 CA_READ_FAILED: the mqtt_ca partition holds no readable certificate
      Given I have sent AT+MQTTUSERCFG=0,3,"fault-ca-bad","","",0,0,""
      And the virtual firmware injects the fault "ca_unreadable"
      When I send AT+MQTTCONN=0,"{broker.host}",{port.scheme3},0
      Then the device answers:
        """
        ERR CODE:0x010a6022
        ERROR
        """
      And the device has reported nothing else
      When I send AT+MQTTCONN=0,"{broker.host}",{port.scheme3},0
      Then the device answers OK
      And the device reports +MQTTCONNECTED:0,3,"{broker.host}","{port.scheme3}","",0

    Scenario: 0x6023 CERT_LENGTH_ERROR: the mqtt_cert partition reads as empty
      Given I have sent AT+MQTTUSERCFG=0,4,"fault-cert-empty","","",0,0,""
      And the virtual firmware injects the fault "cert_empty"
      When I send AT+MQTTCONN=0,"{broker.host}",{port.scheme4},0
      Then the device answers:
        """
        ERR CODE:0x010a6023
        ERROR
        """
      And the device has reported nothing else
      When I send AT+MQTTCONN=0,"{broker.host}",{port.scheme4},0
      Then the device answers OK
      And the device reports +MQTTCONNECTED:0,4,"{broker.host}","{port.scheme4}","",0

    Scenario: 0x6024 CERT_READ_FAILED: the mqtt_cert partition holds no readable certificate
      Given I have sent AT+MQTTUSERCFG=0,4,"fault-cert-bad","","",0,0,""
      And the virtual firmware injects the fault "cert_unreadable"
      When I send AT+MQTTCONN=0,"{broker.host}",{port.scheme4},0
      Then the device answers:
        """
        ERR CODE:0x010a6024
        ERROR
        """
      And the device has reported nothing else
      When I send AT+MQTTCONN=0,"{broker.host}",{port.scheme4},0
      Then the device answers OK
      And the device reports +MQTTCONNECTED:0,4,"{broker.host}","{port.scheme4}","",0

    Scenario: 0x6025 KEY_LENGTH_ERROR: the mqtt_key partition reads as empty
      Given I have sent AT+MQTTUSERCFG=0,4,"fault-key-empty","","",0,0,""
      And the virtual firmware injects the fault "key_empty"
      When I send AT+MQTTCONN=0,"{broker.host}",{port.scheme4},0
      Then the device answers:
        """
        ERR CODE:0x010a6025
        ERROR
        """
      And the device has reported nothing else
      When I send AT+MQTTCONN=0,"{broker.host}",{port.scheme4},0
      Then the device answers OK
      And the device reports +MQTTCONNECTED:0,4,"{broker.host}","{port.scheme4}","",0

    Scenario: 0x6026 KEY_READ_FAILED: the mqtt_key partition holds no readable key
      Given I have sent AT+MQTTUSERCFG=0,4,"fault-key-bad","","",0,0,""
      And the virtual firmware injects the fault "key_unreadable"
      When I send AT+MQTTCONN=0,"{broker.host}",{port.scheme4},0
      Then the device answers:
        """
        ERR CODE:0x010a6026
        ERROR
        """
      And the device has reported nothing else
      When I send AT+MQTTCONN=0,"{broker.host}",{port.scheme4},0
      Then the device answers OK
      And the device reports +MQTTCONNECTED:0,4,"{broker.host}","{port.scheme4}","",0

  Rule: connected

    Background:
      Given I have sent these commands, each answered OK:
        """
        AT+MQTTUSERCFG=0,1,"fault-conn","","",0,0,""
        AT+MQTTCONN=0,"{broker.host}",{port.scheme1},0
        """
      And the device reports +MQTTCONNECTED:0,1,"{broker.host}","{port.scheme1}","",0

    Scenario: 0x600C CLIENT_PUBLISH_FAILED on PUB: the client refuses the publish
      Given the virtual firmware injects the fault "client_publish"
      When I send AT+MQTTPUB=0,"faults/pub","refused",1,0
      Then the device answers:
        """
        ERR CODE:0x010a600c
        ERROR
        """
      When I send AT+MQTTCONN?
      Then the device answers:
        """
        +MQTTCONN:0,4,1,"{broker.host}","{port.scheme1}","",0
        OK
        """
      When I send AT+MQTTPUB=0,"faults/pub","accepted",1,0
      Then the device answers OK
      And the broker received "accepted" on "faults/pub" with QoS 1, not retained

    Scenario: 0x600C CLIENT_PUBLISH_FAILED on PUBRAW: the client refuses the raw publish
      Given the virtual firmware injects the fault "client_publish"
      When I send AT+MQTTPUBRAW=0,"faults/raw",7,1,0
      Then the device answers OK
      And the device answers >
      When I send the raw data "refused"
      Then the device answers:
        """
        ERR CODE:0x010a600c
        ERROR
        """
      When I send AT+MQTTPUBRAW=0,"faults/raw",8,1,0
      Then the device answers OK
      And the device answers >
      When I send the raw data "accepted"
      Then the device reports +MQTTPUB:OK
      And the broker received "accepted" on "faults/raw" with QoS 1, not retained

    Scenario: 0x604D RECV_LENGTH_IS_WRONG: PUBRAW receives fewer bytes than announced
      Given the virtual firmware injects the fault "recv_length"
      When I send AT+MQTTPUBRAW=0,"faults/short",4,0,0
      Then the device answers OK
      And the device answers >
      When I send the raw data "abcd"
      Then the device answers:
        """
        ERR CODE:0x010a604d
        ERROR
        """
      When I send AT
      Then the device answers OK
      When I send AT+MQTTPUBRAW=0,"faults/short",4,0,0
      Then the device answers OK
      And the device answers >
      When I send the raw data "wxyz"
      Then the device reports +MQTTPUB:OK
      And the broker received "wxyz" on "faults/short" with QoS 0, not retained

    Scenario: 0x600D CLIENT_SUBSCRIBE_FAILED: the client refuses the subscribe, nothing is sent
      Given the virtual firmware injects the fault "client_subscribe"
      When I send AT+MQTTSUB=0,"faults/sub",1
      Then the device answers:
        """
        ERR CODE:0x010a600d
        ERROR
        """
      When I send AT+MQTTSUB?
      Then the device answers:
        """
        +MQTTSUB:0,4,"",0
        OK
        """
      When I send AT+MQTTSUB=0,"faults/sub",1
      Then the device answers OK
      And the broker received 1 SUBSCRIBE to "faults/sub" with QoS 1

    Scenario: 0x600E CLIENT_UNSUBSCRIBE_FAILED: the client refuses the unsubscribe, the topic stays
      Given I have sent AT+MQTTSUB=0,"faults/unsub",1
      And the virtual firmware injects the fault "client_unsubscribe"
      When I send AT+MQTTUNSUB=0,"faults/unsub"
      Then the device answers:
        """
        ERR CODE:0x010a600e
        ERROR
        """
      When I send AT+MQTTSUB?
      Then the device answers:
        """
        +MQTTSUB:0,6,"faults/unsub",1
        OK
        """
      When I send AT+MQTTUNSUB=0,"faults/unsub"
      Then the device answers OK
      And the broker received 1 UNSUBSCRIBE from "faults/unsub"

    Scenario: 0x600F CLIENT_DISCONNECT_FAILED: CLEAN cannot disconnect, the connection stays
      Given the virtual firmware injects the fault "client_disconnect"
      When I send AT+MQTTCLEAN=0
      Then the device answers:
        """
        ERR CODE:0x010a600f
        ERROR
        """
      When I send AT+MQTTCONN?
      Then the device answers:
        """
        +MQTTCONN:0,4,1,"{broker.host}","{port.scheme1}","",0
        OK
        """
      When I send AT+MQTTCLEAN=0
      Then the device answers OK
      And the broker received a DISCONNECT from "fault-conn"

    Scenario: 0x6046 DATA_IS_OVERLENGTH: 257 bytes of data on a longer command line
      Given the virtual firmware injects the fault "long_line"
      When I send AT+MQTTPUB=0,"faults/long","{257 x 'd'}",0,0
      Then the device answers:
        """
        ERR CODE:0x010a6046
        ERROR
        """

    Scenario: 256 bytes of data are published from a longer command line
      Given the virtual firmware injects the fault "long_line"
      When I send AT+MQTTPUB=0,"faults/long","{256 x 'd'}",1,0
      Then the device answers OK
      And the broker received "{256 x 'd'}" on "faults/long" with QoS 1, not retained

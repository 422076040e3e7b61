# UDPServer.py - Lab 3, section 4.1: UDP server that capitalizes what it receives.
import os
from socket import *

# The lab tells the server its port in SERVER_PORT; 12000 as in the handout otherwise.
serverPort = int(os.environ.get('SERVER_PORT', '12000'))

serverSocket = socket(AF_INET, SOCK_DGRAM)
serverSocket.bind(('', serverPort))  # '' = all interfaces, so other hosts can reach us
print('The server is ready to receive', flush=True)

while True:
    # 65535 is the largest UDP payload, so a long message is never cut short.
    message, clientAddress = serverSocket.recvfrom(65535)
    modifiedMessage = message.upper()
    serverSocket.sendto(modifiedMessage, clientAddress)
